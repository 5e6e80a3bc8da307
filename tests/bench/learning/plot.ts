/** A line chart as SVG text: mean true mastery against attempts, one line per policy. */
export function masteryPlot(series: { label: string; color: string; points: [number, number][] }[], title: string): string {
  const width = 720;
  const height = 420;
  const margin = { left: 60, right: 170, top: 40, bottom: 50 };
  const maxX = Math.max(...series.flatMap((s) => s.points.map(([x]) => x)), 1);
  const x = (value: number) => margin.left + (value / maxX) * (width - margin.left - margin.right);
  const y = (value: number) => height - margin.bottom - value * (height - margin.top - margin.bottom);
  const step = niceStep(maxX);
  const xTicks = Array.from({ length: Math.floor(maxX / step) + 1 }, (_, i) => i * step);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2 - margin.right / 2}" y="22" text-anchor="middle" font-size="14">${escape(title)}</text>`,
    ...[0, 0.25, 0.5, 0.75, 1].map(
      (v) =>
        `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${margin.left - 8}" y="${y(v) + 4}" text-anchor="end">${v * 100}%</text>`,
    ),
    ...xTicks.map((v) => `<text x="${x(v)}" y="${height - margin.bottom + 18}" text-anchor="middle">${v}</text>`),
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>`,
    `<line x1="${margin.left}" x2="${margin.left}" y1="${y(0)}" y2="${y(1)}" stroke="#333"/>`,
    `<text x="${(margin.left + width - margin.right) / 2}" y="${height - 12}" text-anchor="middle">attempts</text>`,
    `<text transform="translate(16 ${(margin.top + height - margin.bottom) / 2}) rotate(-90)" text-anchor="middle">mean share of topics truly mastered</text>`,
    ...series.map(
      (s) =>
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(" ")}"/>`,
    ),
    ...series.map(
      (s, i) =>
        `<line x1="${width - margin.right + 12}" x2="${width - margin.right + 36}" y1="${margin.top + 10 + i * 20}" y2="${margin.top + 10 + i * 20}" stroke="${s.color}" stroke-width="3"/><text x="${width - margin.right + 42}" y="${margin.top + 14 + i * 20}">${escape(s.label)}</text>`,
    ),
    `</svg>`,
  ];
  return `${parts.join("\n")}\n`;
}

function niceStep(max: number): number {
  const raw = max / 6;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw)!;
}

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
