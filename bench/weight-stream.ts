/**
 * Streamed weights against kernel ROMs: Yosys synth_xilinx (7-series) of one PeArray with its
 * schedule in kernel ROMs (`weights: "rom"`) and the same array with the schedule streamed into a
 * double-buffered WeightBuffer (`weights: { maxDepth }`, run-time channel counts up to the layer's),
 * plus the WeightLoader that feeds it.
 * The layer is the LeNet conv2 shape (Cin 6, Cout 16, K 8, n 10 of 40, seeded random weights),
 * 4 x 2 PEs, drainWords 1: schedule depth 120, maxDepth 128.
 *
 *   npx tsx bench/weight-stream.ts [--write] [--wasm]
 *
 * Prints a table; --write also stores it as bench/results/weight-stream-synth.json. "LUT sites" =
 * logic LUTs + LUT-RAM LUTs + SRLs; block RAM in RAMB36 equivalents (RAMB36 + RAMB18 / 2).
 */
import { elaborate, isMain, type ElaboratedDesign } from "../hdl/core";
import { runMain } from "../hdl/core/cli";
import { WeightLoader } from "../hdl/spec2/engine/weight-loader";
import { PeArray, peArrayParams, peArrayWeightRow } from "../hdl/spec2/pe-array";
import { randomLayer } from "../hdl/spec2/perf/random-layer";
import { buildSchedule } from "../hdl/spec2/schedule";
import { YosysError } from "../synth";
import { runSynthBench } from "./lib/synth-table";

const P_OUT = 4;
const P_IN = 2;
const MAX_DEPTH = 128;

/** The designs measured. */
function designs(): { name: string; design: () => ElaboratedDesign }[] {
  const { layer } = randomLayer({ cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: 8, density: 0.25, pOut: P_OUT, pIn: P_IN }, 1).acc;
  const s = buildSchedule(layer, P_OUT, P_IN);
  const streamed = peArrayParams(layer, P_OUT, P_IN, { weights: { maxDepth: MAX_DEPTH } });
  return [
    { name: `PeArray 4x2, kernel ROMs (depth ${s.depth})`, design: () => elaborate(PeArray, peArrayParams(layer, P_OUT, P_IN)) },
    { name: `PeArray 4x2, streamed (maxDepth ${MAX_DEPTH})`, design: () => elaborate(PeArray, streamed) },
    {
      name: "WeightLoader (64-byte beats, a row per beat)",
      // the streamed array's row shape: with the bank's cin and cout
      design: () => elaborate(WeightLoader, { port: { addrBits: 32, dataBytes: 64 }, row: peArrayWeightRow(streamed)!.shape, maxDepth: MAX_DEPTH, tileBits: 16 }),
    },
  ];
}

const USAGE = `usage: npx tsx bench/weight-stream.ts [--write] [--wasm]

Yosys synth_xilinx of a PE array with kernel ROMs and with streamed weights, and of the weight loader.

  --write       store the table in bench/results/weight-stream-synth.json
  --wasm        the WebAssembly Yosys instead of the native one
  -h, --help    this text`;

async function main(): Promise<void> {
  await runSynthBench({ name: "weight-stream", usage: USAGE, title: "Yosys synth_xilinx (7-series), LeNet conv2 shape, K = 8, 16-bit data and weights", resultFile: "weight-stream-synth.json", designs });
}

if (isMain(import.meta.url)) runMain("weight-stream", main, (e) => (e instanceof YosysError ? 1 : undefined));
