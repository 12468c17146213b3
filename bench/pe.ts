/**
 * PE cost benchmark: Yosys synth_xilinx (7-series) of the SPEC2 processing element in the
 * configurations the project uses, with the design choices measured side by side: the
 * VGG16-class PE (K = 8, 16-bit data and weights, accumulators for 16 output channels) with
 * exact 42-bit accumulators (Cin <= 512) against 36-bit ones, the 4-multiplier against the
 * 3-multiplier (Gauss) complex multiply, fewer accumulator regions, and the LeNet PEs.
 *
 *   npx tsx bench/pe.ts [--write] [--wasm]
 *
 * Prints a table; --write also stores it as bench/results/pe.json. Uses the native `yosys`
 * when there is one (--wasm: the WebAssembly build). "LUT sites" = logic LUTs + LUT-RAM LUTs +
 * SRLs; block RAM in RAMB36 equivalents (RAMB36 + RAMB18 / 2).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { elaborate, isMain } from "../hdl/core";
import { parseCommandLine, runMain, writeFileAtomic } from "../hdl/core/cli";
import { Pe, VGG16_CLASS_PE, type PeParams } from "../hdl/spec2/pe";
import { YosysError, synthesize, type ResourceReport } from "../synth";
import { costRow, type CostRow } from "./lib/synth-table";

export interface PeCost extends CostRow {
  readonly params: PeParams;
}

/** The configurations measured: name and parameters. */
export const PE_VARIANTS: readonly { name: string; params: PeParams }[] = [
  { name: "VGG16-class, exact 42-bit acc, 4 DSP multiply", params: VGG16_CLASS_PE },
  { name: "VGG16-class, exact 42-bit acc, Gauss multiply", params: { ...VGG16_CLASS_PE, multiplier: "gauss" } },
  { name: "VGG16-class, 36-bit acc, 4 DSP multiply", params: { ...VGG16_CLASS_PE, accBits: 36 } },
  { name: "VGG16-class, 36-bit acc, Gauss multiply", params: { ...VGG16_CLASS_PE, accBits: 36, multiplier: "gauss" } },
  { name: "12 output channels, 36-bit acc", params: { ...VGG16_CLASS_PE, oLoc: 12, accBits: 36 } },
  { name: "8 output channels, exact 42-bit acc", params: { ...VGG16_CLASS_PE, oLoc: 8 } },
  { name: "VGG16-class with whole-column X writes", params: { ...VGG16_CLASS_PE, xWords: 8 } },
  { name: "LeNet conv1 PE (3 ch, column drain)", params: { K: 8, xBits: 16, weightBits: 16, accBits: 33, oLoc: 3, xWords: 8, drainWords: 8 } },
  { name: "LeNet conv2 PE (2 ch, word drain)", params: { K: 8, xBits: 16, weightBits: 16, accBits: 35, oLoc: 2, xWords: 8, drainWords: 1 } },
];

export async function measurePe(name: string, params: PeParams, native = true): Promise<PeCost> {
  const d = elaborate(Pe, params);
  const r: ResourceReport = await synthesize(d, { native });
  return { ...costRow(name, r), params };
}

export function formatCosts(rows: readonly PeCost[]): string {
  const head = `${"PE".padEnd(48)} ${"LUT sites".padStart(9)} ${"(logic".padStart(7)} ${"LUT-RAM)".padStart(8)} ${"FF".padStart(5)} ${"DSP".padStart(4)} ${"RAMB36".padStart(7)}`;
  const lines = rows.map(
    (r) =>
      `${r.name.padEnd(48)} ${String(r.lutSites).padStart(9)} ${String(r.lut).padStart(7)} ${String(r.lutramLuts).padStart(8)} ${String(r.ff).padStart(5)} ${String(r.dsp).padStart(4)} ${r.bram36.toFixed(1).padStart(7)}`,
  );
  return [head, ...lines].join("\n");
}

const USAGE = `usage: npx tsx bench/pe.ts [--write] [--wasm]

Yosys synth_xilinx of the SPEC2 processing element in the configurations the project uses.

  --write       store the table in bench/results/pe.json
  --wasm        the WebAssembly Yosys instead of the native one
  -h, --help    this text`;

async function main(): Promise<void> {
  const cl = parseCommandLine({ usage: USAGE, options: { write: { type: "boolean" }, wasm: { type: "boolean" } } });
  if (!cl) return;
  const rows: PeCost[] = [];
  for (const v of PE_VARIANTS) {
    process.stderr.write(`pe: ${v.name} ...\n`);
    rows.push(await measurePe(v.name, v.params, cl.values.wasm !== true));
  }
  process.stdout.write(`SPEC2 PE, Yosys synth_xilinx (7-series), K = 8, 16-bit data and weights\n${formatCosts(rows)}\n`);
  if (cl.values.write === true) {
    const file = join(dirname(fileURLToPath(import.meta.url)), "results", "pe.json");
    writeFileAtomic(file, JSON.stringify(rows, null, 1) + "\n");
    process.stderr.write(`pe: wrote ${file}\n`);
  }
}

if (isMain(import.meta.url)) runMain("pe", main, (e) => (e instanceof YosysError ? 1 : undefined));
