/**
 * The run-time configured overlap-add against the compile-time one: Yosys synth_xilinx (7-series)
 * of OverlapAdd for the LeNet conv2 shape (16 x 12x12 out, k 5, K 8, biases in a ROM), of
 * BandOverlapAdd with the same limits (16 channels, 12 x 12, any shape up to them), and of
 * BandOverlapAdd at the VGG16 class (k 3, K 8, 64 channels per lane, 224 x 224).
 *
 *   npx tsx bench/overlap-add-synth.ts [--write] [--wasm]
 *
 * Prints a table; --write also stores it as bench/results/overlap-add-synth.json. "LUT sites" =
 * logic LUTs + LUT-RAM LUTs + SRLs; block RAM in RAMB36 equivalents (RAMB36 + RAMB18 / 2).
 */
import { elaborate, isMain, type ElaboratedDesign } from "../hdl/core";
import { runMain } from "../hdl/core/cli";
import { BandOverlapAdd } from "../hdl/spec2/engine/band-overlap-add";
import { OverlapAdd } from "../hdl/spec2/overlap-add";
import { randomLayer } from "../hdl/spec2/perf/random-layer";
import { YosysError } from "../synth";
import { runSynthBench } from "./lib/synth-table";

/** The designs measured. */
function designs(): { name: string; design: () => ElaboratedDesign }[] {
  const { layer } = randomLayer({ cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: 8, density: 0.25, pOut: 1, pIn: 1 }, 1).acc;
  const { ifftBits, actBits } = layer.formats;
  return [
    { name: "OverlapAdd, LeNet conv2 (compile time)", design: () => elaborate(OverlapAdd, { layer }) },
    { name: "BandOverlapAdd, up to 16 x 12x12, k 5", design: () => elaborate(BandOverlapAdd, { K: 8, k: 5, ifftBits, actBits, maxChannels: 16, maxWidth: 12, maxHeight: 12 }) },
    { name: "BandOverlapAdd, VGG16 class: 64 x 224x224, k 3", design: () => elaborate(BandOverlapAdd, { K: 8, k: 3, ifftBits: 22, actBits: 16, maxChannels: 64, maxWidth: 224, maxHeight: 224 }) },
  ];
}

const USAGE = `usage: npx tsx bench/overlap-add-synth.ts [--write] [--wasm]

Yosys synth_xilinx of the compile-time overlap-add and of the run-time configured one.

  --write       store the table in bench/results/overlap-add-synth.json
  --wasm        the WebAssembly Yosys instead of the native one
  -h, --help    this text`;

async function main(): Promise<void> {
  await runSynthBench({ name: "overlap-add-synth", usage: USAGE, title: "Yosys synth_xilinx (7-series), K = 8", resultFile: "overlap-add-synth.json", designs });
}

if (isMain(import.meta.url)) runMain("overlap-add-synth", main, (e) => (e instanceof YosysError ? 1 : undefined));
