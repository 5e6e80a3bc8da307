import { describe, expect, it } from "vitest";
import { preparationOf, PREPARE_MAX_PARAMETERS } from "../../server/src/db/statement-preparation.js";

describe("which statements postgres.js prepares", () => {
  it("prepares statements with 1 to 32 parameters, not those without any or with a longer list, and keeps an explicit request to prepare", () => {
    expect(preparationOf([1], { prepare: false }).prepare).toBe(true);
    expect(preparationOf(Array.from({ length: PREPARE_MAX_PARAMETERS }), undefined).prepare).toBe(true);
    expect(preparationOf(Array.from({ length: PREPARE_MAX_PARAMETERS + 1 }), { prepare: false }).prepare).toBe(false);
    expect(preparationOf([], undefined).prepare).toBe(false);
    expect(preparationOf(Array.from({ length: 100 }), { prepare: true }).prepare).toBe(true);
  });
});
