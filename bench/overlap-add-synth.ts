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
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { elaborate, isMain, type ElaboratedDesign } from "../hdl/core";
import { parseCommandLine, runMain, writeFileAtomic } from "../hdl/core/cli";
import { BandOverlapAdd } from "../hdl/spec2/engine/band-overlap-add";
import { OverlapAdd } from "../hdl/spec2/overlap-add";
import { randomLayer } from "../hdl/spec2/perf/random-layer";
import { YosysError, synthesize } from "../synth";

interface Row {
  readonly name: string;
  readonly lutSites: number;
  readonly lut: number;
  readonly lutramLuts: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bram36: number;
  readonly seconds: number;
}

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

function format(rows: readonly Row[]): string {
  const head = `${"design".padEnd(48)} ${"LUT sites".padStart(9)} ${"(logic".padStart(7)} ${"LUT-RAM)".padStart(8)} ${"FF".padStart(6)} ${"DSP".padStart(4)} ${"RAMB36".padStart(7)}`;
  const lines = rows.map(
    (r) =>
      `${r.name.padEnd(48)} ${String(r.lutSites).padStart(9)} ${String(r.lut).padStart(7)} ${String(r.lutramLuts).padStart(8)} ${String(r.ff).padStart(6)} ${String(r.dsp).padStart(4)} ${r.bram36.toFixed(1).padStart(7)}`,
  );
  return [head, ...lines].join("\n");
}

const USAGE = `usage: npx tsx bench/overlap-add-synth.ts [--write] [--wasm]

Yosys synth_xilinx of the compile-time overlap-add and of the run-time configured one.

  --write       store the table in bench/results/overlap-add-synth.json
  --wasm        the WebAssembly Yosys instead of the native one
  -h, --help    this text`;

async function main(): Promise<void> {
  const cl = parseCommandLine({ usage: USAGE, options: { write: { type: "boolean" }, wasm: { type: "boolean" } } });
  if (!cl) return;
  const rows: Row[] = [];
  for (const d of designs()) {
    process.stderr.write(`overlap-add-synth: ${d.name} ...\n`);
    const r = await synthesize(d.design(), { native: cl.values.wasm !== true });
    rows.push({ name: d.name, lutSites: r.lut + r.lutramLuts + r.srl, lut: r.lut, lutramLuts: r.lutramLuts, ff: r.ff, dsp: r.dsp, bram36: r.bram36 + r.bram18 / 2, seconds: r.elapsedMs / 1000 });
  }
  process.stdout.write(`Yosys synth_xilinx (7-series), K = 8\n${format(rows)}\n`);
  if (cl.values.write === true) {
    const file = join(dirname(fileURLToPath(import.meta.url)), "results", "overlap-add-synth.json");
    writeFileAtomic(file, JSON.stringify(rows, null, 1) + "\n");
    process.stderr.write(`overlap-add-synth: wrote ${file}\n`);
  }
}

if (isMain(import.meta.url)) runMain("overlap-add-synth", main, (e) => (e instanceof YosysError ? 1 : undefined));
