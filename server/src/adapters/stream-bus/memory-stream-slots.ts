import type { Clock } from "../../ports/clock.js";
import type { SlotDecision, StreamSlots } from "../../ports/stream-slots.js";

/** Stream slots of a single instance: per user, slot id → expiry; lapsed slots never count. */
export class MemoryStreamSlots implements StreamSlots {
  private readonly slots = new Map<string, Map<string, number>>();

  constructor(private readonly clock: Clock) {}

  async acquire(userId: string, slotId: string, max: number, ttlMs: number): Promise<SlotDecision> {
    const now = this.clock.now().getTime();
    const held = this.slots.get(userId) ?? new Map<string, number>();
    for (const [id, expiresAt] of held) if (expiresAt <= now) held.delete(id);
    if (held.size >= max && !held.has(slotId)) {
      this.store(userId, held);
      return { acquired: false, active: held.size };
    }
    held.set(slotId, now + ttlMs);
    this.store(userId, held);
    return { acquired: true, active: held.size };
  }

  async release(userId: string, slotId: string): Promise<void> {
    const held = this.slots.get(userId);
    held?.delete(slotId);
    if (held) this.store(userId, held);
  }

  async isHeld(userId: string, slotId: string): Promise<boolean> {
    const expiresAt = this.slots.get(userId)?.get(slotId);
    return expiresAt !== undefined && expiresAt > this.clock.now().getTime();
  }

  private store(userId: string, held: Map<string, number>) {
    if (held.size === 0) this.slots.delete(userId);
    else this.slots.set(userId, held);
  }
}
