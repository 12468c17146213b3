/**
 * The command-line helper of prune/'s entry points, on util.parseArgs: one table of options
 * (name, kind, help), typed values checked with messages that name the option and the value,
 * a --help text built from the table, and the exact command line of a parsed set of options.
 */
import { parseArgs } from "node:util";

export type OptionKind = "int" | "number" | "string" | "flag";

export interface OptionSpec {
  readonly name: string;
  readonly kind: OptionKind;
  readonly help: string;
  /** smallest allowed value (int / number) */
  readonly min?: number;
  /** when true, the value must be strictly above min */
  readonly above?: boolean;
  /** shown in --help; the real default comes from the caller */
  readonly defaultText?: string;
}

export class UsageError extends Error {}

export type RawValues = Record<string, string | boolean | undefined>;

/** Parses argv against the table; unknown options and missing values raise a UsageError. */
export function parseOptions(argv: readonly string[], specs: readonly OptionSpec[]): RawValues {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const s of specs) options[s.name] = { type: s.kind === "flag" ? "boolean" : "string" };
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as RawValues;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** A numeric option's value, checked against its spec; undefined when not given. */
export function numberOption(values: RawValues, spec: OptionSpec): number | undefined {
  const v = values[spec.name];
  if (v === undefined) return undefined;
  const x = Number(v);
  const int = spec.kind === "int";
  const min = spec.min ?? -Infinity;
  const bad = typeof v !== "string" || v.trim() === "" || !Number.isFinite(x) || (int && !Number.isInteger(x)) || (spec.above ? x <= min : x < min);
  if (bad) throw new UsageError(`--${spec.name} = ${String(v)} is not ${int ? "an integer" : "a number"} ${spec.above ? ">" : ">="} ${min}`);
  return x;
}

/** The --help text: usage line, then one line per option. */
export function helpText(usage: string, specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => [`--${s.name}${s.kind === "flag" ? "" : ` ${s.kind === "string" ? "S" : "N"}`}`, `${s.help}${s.defaultText ? ` (default ${s.defaultText})` : ""}`] as const);
  const w = Math.max(...rows.map((r) => r[0].length));
  return `${usage}\n\noptions:\n${rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`).join("\n")}\n`;
}
