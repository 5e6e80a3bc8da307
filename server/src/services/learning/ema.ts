/**
 * Mastery score of §8.4: an exponential moving average of pass (1) / fail (0)
 * observations. A new key starts at 0.5; each observation moves it a fifth of the way.
 */
export const EMA_START = 0.5;
export const EMA_RATE = 0.2;

/** The EMA after one observation (`previous` null: a key seen for the first time). */
export function nextEma(previous: number | null, observation: 0 | 1): number {
  const ema = previous ?? EMA_START;
  return ema + EMA_RATE * (observation - ema);
}

/** The 0–100 score shown to clients. */
export const scoreOf = (ema: number): number => Math.round(ema * 100);
