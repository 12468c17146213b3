/**
 * Shared by the hdl/lib tests: run a design on both simulators with a precomputed stimulus and
 * compare every output in every cycle with a TypeScript model's.
 */
import { expect } from "vitest";
import type { ElaboratedDesign } from "../../hdl/core";
import { simulate, type Backend, type Stimulus } from "../../sim";

export const BACKENDS: readonly Backend[] = ["iverilog", "verilator", "js"];

/**
 * `want[c]` holds the expected outputs of cycle c (only the keys given are compared; an output
 * that is X where it is not compared, such as data while its valid is low, is allowed).
 */
export async function expectCycles(design: ElaboratedDesign, stim: readonly Stimulus[], want: readonly Record<string, number | bigint>[], backend: Backend): Promise<void> {
  const sim = await simulate(design, { backend });
  try {
    const got = await sim.batch(stim, { allowX: true, ...(design.reset ? { resetCycles: 1 } : {}) });
    got.forEach((g, c) => {
      const w = want[c]!;
      const diff = Object.keys(w).filter((k) => g[k] !== w[k]);
      if (diff.length > 0) expect({ backend, cycle: c, ...Object.fromEntries(diff.map((k) => [k, g[k]])) }).toEqual({ backend, cycle: c, ...Object.fromEntries(diff.map((k) => [k, w[k]])) });
    });
  } finally {
    await sim.close();
  }
}
