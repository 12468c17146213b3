/**
 * The shared body of the bench scripts that synthesise a list of designs with Yosys and print
 * one row of resources per design (bench/weight-stream.ts, bench/overlap-add-synth.ts): the
 * command line (--write, --wasm), the synthesis loop with progress on stderr, the table, and the
 * results file written only with --write.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ElaboratedDesign } from "../../hdl/core";
import { parseCommandLine, writeFileAtomic } from "../../hdl/core/cli";
import { synthesize, type ResourceReport } from "../../synth";

export interface CostRow {
  readonly name: string;
  /** LUTs, LUT-RAM LUTs and shift-register LUTs together */
  readonly lutSites: number;
  readonly lut: number;
  readonly lutramLuts: number;
  readonly ff: number;
  readonly dsp: number;
  /** RAMB36 plus half the RAMB18 */
  readonly bram36: number;
  readonly seconds: number;
}

export function costRow(name: string, r: ResourceReport): CostRow {
  return { name, lutSites: r.lut + r.lutramLuts + r.srl, lut: r.lut, lutramLuts: r.lutramLuts, ff: r.ff, dsp: r.dsp, bram36: r.bram36 + r.bram18 / 2, seconds: r.elapsedMs / 1000 };
}

export function formatCostTable(rows: readonly CostRow[]): string {
  const head = `${"design".padEnd(48)} ${"LUT sites".padStart(9)} ${"(logic".padStart(7)} ${"LUT-RAM)".padStart(8)} ${"FF".padStart(6)} ${"DSP".padStart(4)} ${"RAMB36".padStart(7)}`;
  const lines = rows.map(
    (r) =>
      `${r.name.padEnd(48)} ${String(r.lutSites).padStart(9)} ${String(r.lut).padStart(7)} ${String(r.lutramLuts).padStart(8)} ${String(r.ff).padStart(6)} ${String(r.dsp).padStart(4)} ${r.bram36.toFixed(1).padStart(7)}`,
  );
  return [head, ...lines].join("\n");
}

export interface SynthBench {
  /** the script's name in messages (`weight-stream`) */
  readonly name: string;
  readonly usage: string;
  /** first line of the printed table */
  readonly title: string;
  /** file name in bench/results/ */
  readonly resultFile: string;
  readonly designs: () => readonly { readonly name: string; readonly design: () => ElaboratedDesign }[];
}

/** Parses the command line, synthesises every design, prints the table and writes it with --write. */
export async function runSynthBench(b: SynthBench): Promise<void> {
  const cl = parseCommandLine({ usage: b.usage, options: { write: { type: "boolean" }, wasm: { type: "boolean" } } });
  if (!cl) return;
  const rows: CostRow[] = [];
  for (const d of b.designs()) {
    process.stderr.write(`${b.name}: ${d.name} ...\n`);
    rows.push(costRow(d.name, await synthesize(d.design(), { native: cl.values.wasm !== true })));
  }
  process.stdout.write(`${b.title}\n${formatCostTable(rows)}\n`);
  if (cl.values.write === true) {
    const file = join(dirname(fileURLToPath(import.meta.url)), "..", "results", b.resultFile);
    writeFileAtomic(file, JSON.stringify(rows, null, 1) + "\n");
    process.stderr.write(`${b.name}: wrote ${file}\n`);
  }
}
