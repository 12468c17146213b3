/**
 * Runs a gang of random designs on the JS backend, Icarus and Verilator with one seeded
 * stimulus and compares every output of every design on every cycle. Icarus samples that are
 * X are left out of its comparison (and counted): the generator is built so that none remain
 * after reset, and the JS backend and Verilator, both two-state, are compared everywhere.
 */
import type { ElaboratedDesign } from "../../../hdl/core/design";
import { runBatch, type Backend, type Sample, type Stimulus } from "../../../sim/index";
import { rng } from "../models";
import { RESET_CYCLES } from "./generator";
import { designOf } from "./gang";

export const SIMULATORS: readonly Backend[] = ["js", "iverilog", "verilator"];

export function stimulusFor(d: ElaboratedDesign, seed: number, cycles: number): Stimulus[] {
  const r = rng(seed * 977 + 1);
  const ins = d.ports.filter((p) => p.direction === "input" && p.name !== d.clock && p.name !== d.reset);
  return Array.from({ length: cycles }, () => {
    const s: Record<string, number | bigint> = {};
    for (const p of ins) {
      // Mostly random bits; sometimes all zeros or all ones, to reach the edge cases.
      const mode = r.int(8);
      const v = mode === 0 ? 0n : mode === 1 ? (1n << BigInt(p.width)) - 1n : r.bits(p.width);
      s[p.name] = p.width > 53 ? v : Number(v);
    }
    return s;
  });
}

export interface Disagreement {
  /** Index of the design in the gang. */
  readonly design: number;
  readonly port: string;
  readonly cycle: number;
  readonly values: Readonly<Record<string, string>>;
}

export interface GangResult {
  readonly disagreements: readonly Disagreement[];
  /** Icarus samples left out because they were X. */
  readonly xSamples: number;
}

const show = (v: Sample[string] | undefined): string => (v === undefined ? "x" : String(v));

/** Runs `d` on every simulator and returns the first disagreement of each design. */
export async function runThreeWay(d: ElaboratedDesign, seed: number, cycles: number): Promise<GangResult> {
  const stim = stimulusFor(d, seed, cycles);
  // the gang's Verilator model is built once and run for a few thousand cycles: compile its C++ at -O0
  const opts = { resetCycles: RESET_CYCLES, allowX: true, timeoutMs: 600_000, verilatorOptimize: "build" as const };
  const [js, iverilog, verilator] = await Promise.all(SIMULATORS.map((backend) => runBatch(d, stim, { ...opts, backend })));
  const outputs = d.ports.filter((p) => p.direction === "output").map((p) => p.name);
  const found = new Map<number, Disagreement>();
  let xSamples = 0;
  for (let k = 0; k < cycles; k++) {
    const a = js![k]!;
    const b = iverilog![k]!;
    const c = verilator![k]!;
    for (const port of outputs) {
      const icarusX = !(port in b);
      if (icarusX) xSamples++;
      if (a[port] === c[port] && (icarusX || b[port] === a[port])) continue;
      const design = designOf(port);
      if (!found.has(design)) found.set(design, { design, port, cycle: k, values: { js: show(a[port]), iverilog: show(b[port]), verilator: show(c[port]) } });
    }
  }
  return { disagreements: [...found.values()], xSamples };
}
