/**
 * The shape of one random design, as numbers fast-check can shrink: how many inputs, outputs,
 * wires, registers, memories, hierarchy levels, copies of the child and library blocks, how deep
 * the expressions nest and how wide values get. Every part draws from its own random stream
 * (`partRng(seed, part, index)`), so dropping a part leaves the others as they were.
 */
import fc from "fast-check";
import { rng } from "../models";

export interface Recipe {
  readonly seed: number;
  readonly inputs: number;
  readonly outputs: number;
  /** WireDefault wires, overridden under nested when / elsewhen / otherwise and switchOn */
  readonly wires: number;
  /** registers with init, some with an enable, assigned under nested whens */
  readonly regs: number;
  /** registers without init, assigned every cycle */
  readonly plainRegs: number;
  readonly mems: number;
  /** levels of hierarchy below this module */
  readonly levels: number;
  /** instances of the child module */
  readonly copies: number;
  /** blocks of hdl/lib */
  readonly lib: number;
  readonly depth: number;
  readonly maxWidth: number;
}

export const recipeArb: fc.Arbitrary<Recipe> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
  inputs: fc.integer({ min: 1, max: 5 }),
  outputs: fc.integer({ min: 1, max: 4 }),
  wires: fc.integer({ min: 0, max: 2 }),
  regs: fc.integer({ min: 0, max: 3 }),
  plainRegs: fc.integer({ min: 0, max: 2 }),
  mems: fc.integer({ min: 0, max: 2 }),
  levels: fc.integer({ min: 0, max: 2 }),
  copies: fc.integer({ min: 1, max: 2 }),
  lib: fc.integer({ min: 0, max: 3 }),
  depth: fc.integer({ min: 1, max: 3 }),
  maxWidth: fc.integer({ min: 1, max: 200 }),
});

export type Rng = ReturnType<typeof rng>;

/** The random stream of one part of a design. */
export function partRng(seed: number, part: string, index: number): Rng {
  let h = seed >>> 0;
  for (const ch of `${part}#${index}`) h = (Math.imul(h ^ ch.charCodeAt(0), 0x9e3779b1) + 0x7f4a7c15) >>> 0;
  return rng((h % 2_000_000_000) + 1);
}

/** `count` recipes drawn from `seed` (the same list for the same seed). */
export function recipes(count: number, seed: number): Recipe[] {
  return fc.sample(recipeArb, { numRuns: count, seed });
}
