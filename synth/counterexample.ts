/**
 * A readable per-cycle table of a trace: one row per step, one column per port of the design
 * (the clock left out), values in decimal (hex past 32 bits), the row of the failing step marked.
 */
import type { PortInfo } from "../hdl/core/design.js";
import type { StepValues } from "./vcd.js";

export interface TraceRow {
  readonly step: number;
  /** Port name -> value (decimal, or 0x... past 32 bits; "x" when unknown). */
  readonly values: Readonly<Record<string, string>>;
}

function show(bits: string | undefined, port: PortInfo): string {
  if (bits === undefined || /[xz]/.test(bits)) return "x";
  let v = BigInt(`0b${bits}`);
  if (port.signed && bits[0] === "1") v -= 1n << BigInt(bits.length);
  return port.width > 32 ? `0x${v.toString(16)}` : v.toString();
}

export function traceRows(values: StepValues, ports: readonly PortInfo[], clock: string | undefined): TraceRow[] {
  return traceRowsFromSteps(values, ports, clock);
}

/** Rows from step values whose variables are named after the top's ports. */
export function traceRowsFromSteps(values: StepValues, ports: readonly PortInfo[], clock: string | undefined): TraceRow[] {
  const shown = ports.filter((p) => p.name !== clock);
  return values.steps.map((s, step) => ({ step, values: Object.fromEntries(shown.map((p) => [p.name, show(s.get(p.name), p)])) }));
}

/** The table as text; `mark` is the step to flag (the failing or covering one). */
export function formatTrace(rows: readonly TraceRow[], mark?: { step: number; note: string }): string {
  if (rows.length === 0) return "(empty trace)";
  const names = Object.keys(rows[0]!.values);
  const header = ["step", ...names];
  const body = rows.map((r) => [String(r.step), ...names.map((n) => r.values[n]!)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join(" | ");
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("-+-")];
  rows.forEach((r, k) => out.push(line(body[k]!) + (mark && r.step === mark.step ? `  <- ${mark.note}` : "")));
  return out.join("\n");
}
