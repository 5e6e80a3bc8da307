export interface SlotDecision {
  acquired: boolean;
  /** Slots the user holds now (including this one when acquired). */
  active: number;
}

/**
 * Per-user counting of open tutor streams (§8.6): taking a slot is atomic, and a slot
 * lapses on its own after `ttlMs`, so an instance that dies mid-stream leaks nothing.
 */
export interface StreamSlots {
  /** Takes a slot; taking one already held (even at the cap) renews its lease to `ttlMs` from now. */
  acquire(userId: string, slotId: string, max: number, ttlMs: number): Promise<SlotDecision>;
  release(userId: string, slotId: string): Promise<void>;
  /** Whether the slot is held and its lease has not lapsed. */
  isHeld(userId: string, slotId: string): Promise<boolean>;
}
