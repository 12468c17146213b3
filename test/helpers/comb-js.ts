/**
 * Applies input vectors to a combinational design on the JS backend and reads every output back
 * as an unsigned bit pattern, in the shape of `comb-bench.ts` (its Icarus counterpart).
 */
import type { ElaboratedDesign } from "../../hdl/core";
import { runBatch } from "../../sim";
import type { Vector } from "./comb-bench";

export async function runCombinationalJs(design: ElaboratedDesign, vectors: readonly Vector[]): Promise<Vector[]> {
  const inputs = design.ports.filter((p) => p.direction === "input");
  const outputs = design.ports.filter((p) => p.direction === "output");
  const stim = vectors.map((v) => Object.fromEntries(inputs.map((p) => [p.name, (v[p.name] ?? 0n) & ((1n << BigInt(p.width)) - 1n)])));
  const samples = await runBatch(design, stim, { backend: "js" });
  return samples.map((s) => Object.fromEntries(outputs.map((p) => [p.name, BigInt(s[p.name]!) & ((1n << BigInt(p.width)) - 1n)])));
}
