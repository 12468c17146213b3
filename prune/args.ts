/**
 * Option tables for prune/'s entry points, on the shared command-line helper (hdl/core/cli.ts:
 * its UsageError, and runMain for exit codes and messages): one table of options (name, kind,
 * help), typed values checked with messages that name the option and the value, and a --help
 * text built from the table. Many training options share one table between run.ts and
 * sweep.ts, which is why prune/ keeps a table form on top of the helper.
 */
import { parseArgs } from "node:util";
import { UsageError } from "../hdl/core/cli";

export { UsageError };

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

/** Runs `parse`; a UsageError it throws without a usage text gets `usage` (runMain prints it). */
export function withUsage<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof UsageError && !e.usage) throw new UsageError(e.message, usage);
    throw e;
  }
}
