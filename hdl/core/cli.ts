/**
 * Command lines of every entry point, on Node's `util.parseArgs` (strict): `--help` prints the
 * usage and runs nothing; an unknown option or a bad value prints what is wrong and the usage
 * (exit code 2); a user error prints its message, never a stack (exit code 2 for bad input, 1
 * for a failed run); only a bug prints a stack. Output paths are checked before any work starts,
 * and a closed stdout (`| head`) ends the program quietly.
 *
 *   const args = parseCommandLine({ usage, options: { out: { type: "string" } } });
 *   if (args) ...   // undefined after --help
 *   runMain("tool", main);
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { HdlError } from "./errors.js";

/** Bad arguments: the message, then the usage; exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(message: string, readonly usage = "") {
    super(message);
  }
}

/** A user error that is not about the arguments (a missing file, a failed run): the message only. */
export class CliError extends Error {
  override name = "CliError";
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** Option declarations, as `util.parseArgs` takes them. */
export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface CommandSpec<O extends Options> {
  /** The whole help text; its first line starts with `usage:`. */
  readonly usage: string;
  readonly options: O;
  /** Positional arguments allowed (default none). */
  readonly positionals?: { readonly min: number; readonly max: number };
  /** The arguments (default `process.argv.slice(2)`). */
  readonly argv?: readonly string[];
}

/** Parsed values by option name (strings and booleans as `util.parseArgs` gives them). */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandLine {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  /** The usage text, for errors found later. */
  readonly usage: string;
}

/** Parses the command line; prints the usage and returns undefined for `--help`. */
export function parseCommandLine<O extends Options>(spec: CommandSpec<O>): CommandLine | undefined {
  const argv = spec.argv ?? process.argv.slice(2);
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...spec.options, help: { type: "boolean", short: "h" } },
      allowPositionals: spec.positionals !== undefined,
      strict: true,
    }) as { values: OptionValues; positionals: string[] };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e), spec.usage);
  }
  if (parsed.values.help === true) {
    process.stdout.write(`${spec.usage.trimEnd()}\n`);
    return undefined;
  }
  const { min = 0, max = 0 } = spec.positionals ?? {};
  const n = parsed.positionals.length;
  if (n < min) throw new UsageError(min === 1 && max === 1 ? "expected one input file" : `expected at least ${min} arguments, got ${n}`, spec.usage);
  if (n > max) throw new UsageError(max === 0 ? `unexpected argument ${parsed.positionals[0]}` : `unexpected argument ${parsed.positionals[max]}`, spec.usage);
  return { values: parsed.values, positionals: parsed.positionals, usage: spec.usage };
}

/** A string option's value, undefined when absent. */
export function stringOption(cl: CommandLine, name: string): string | undefined {
  const v = cl.values[name];
  return typeof v === "string" ? v : undefined;
}

/** A required string option. */
export function requiredOption(cl: CommandLine, name: string): string {
  const v = stringOption(cl, name);
  if (v === undefined) throw new UsageError(`missing --${name}`, cl.usage);
  return v;
}

/** An integer option in [min, max]; `fallback` when absent. */
export function integerOption(cl: CommandLine, name: string, range: { min: number; max?: number }, fallback: number): number;
export function integerOption(cl: CommandLine, name: string, range: { min: number; max?: number }): number | undefined;
export function integerOption(cl: CommandLine, name: string, range: { min: number; max?: number }, fallback?: number): number | undefined {
  const text = stringOption(cl, name);
  if (text === undefined) return fallback;
  const v = Number(text);
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (text.trim() === "" || !Number.isSafeInteger(v) || v < range.min || v > max) {
    const what = range.max === undefined ? (range.min === 1 ? "a positive integer" : `an integer >= ${range.min}`) : `an integer from ${range.min} to ${range.max}`;
    throw new UsageError(`--${name} ${text}: expected ${what}`, cl.usage);
  }
  return v;
}

/** A positive finite number option; `fallback` when absent. */
export function positiveNumberOption(cl: CommandLine, name: string, fallback: number): number {
  const text = stringOption(cl, name);
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === "" || !Number.isFinite(v) || v <= 0) throw new UsageError(`--${name} ${text}: expected a positive number`, cl.usage);
  return v;
}

/** An option whose value is one of `choices`; `fallback` when absent. */
export function choiceOption<C extends string>(cl: CommandLine, name: string, choices: readonly C[], fallback: C): C {
  const text = stringOption(cl, name);
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`--${name} ${text}: use ${choices.join(" or ")}`, cl.usage);
  return text as C;
}

/**
 * Checks before any work that `path` can be written: not a directory, in a folder that exists
 * and is writable. Returns the absolute path.
 */
export function checkOutputPath(path: string, what: string): string {
  const abs = resolve(path);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (st?.isDirectory()) throw new CliError(`${what} ${path} is a directory: give a file name`, 2);
  const dir = dirname(abs);
  const dst = statSync(dir, { throwIfNoEntry: false });
  if (!dst?.isDirectory()) throw new CliError(`${what} ${path}: the folder ${dirname(path)} does not exist`, 2);
  try {
    accessSync(dir, constants.W_OK);
    if (st) accessSync(abs, constants.W_OK);
  } catch {
    throw new CliError(`${what} ${path} cannot be written (no permission)`, 2);
  }
  return abs;
}

/** Errors that are the user's, with the exit code they get. */
function exitCodeOf(e: unknown, known: (e: unknown) => number | undefined): number | undefined {
  if (e instanceof UsageError) return 2;
  if (e instanceof CliError) return e.exitCode;
  if (e instanceof HdlError) return 1;
  return known(e);
}

let stdoutGuarded = false;

/** A reader that stops early (`| head`) is not an error: end quietly instead of an EPIPE stack. */
export function endQuietlyOnClosedStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

/**
 * Runs an entry point: user errors print `name: message` (and the usage for bad arguments) and
 * set the exit code; `known` maps further error classes (a file format's) to exit codes.
 */
export function runMain(name: string, main: () => unknown, known: (e: unknown) => number | undefined = () => undefined): void {
  endQuietlyOnClosedStdout();
  Promise.resolve()
    .then(main)
    .catch((e: unknown) => {
      const code = exitCodeOf(e, known);
      if (code === undefined) {
        // Not a user error: a bug, reported with its stack.
        process.stderr.write(`${name}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exitCode = 70;
        return;
      }
      const message = e instanceof Error ? e.message : String(e);
      const usage = e instanceof UsageError && e.usage ? `\n${e.usage.trimEnd()}` : "";
      process.stderr.write(`${name}: ${message}${usage}\n`);
      process.exitCode = code;
    });
}

export { writeFileAtomic } from "./write-file.js";
