/**
 * Output of a design: `printVerilog` for design files run directly (`npx tsx design.ts > design.v`),
 * `writeVerilog` for a file. Memory contents asked for as data files (`initAsFile`) are written
 * beside the Verilog, under the names its `$readmemh` calls use.
 */
import { realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { endQuietlyOnClosedStdout } from "./cli.js";
import type { ElaboratedDesign } from "./design.js";
import { elaborate } from "./elaborate.js";
import { HdlError } from "./errors.js";
import { ModuleDef, type ParamArgs } from "./module.js";
import { writeFileAtomic } from "./write-file.js";

/** True when the file with this `import.meta.url` is the program being run. */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(fileURLToPath(metaUrl)) === realpathSync(entry);
  } catch {
    return false;
  }
}

/** Writes the design's data files into `dir`; returns their paths. */
export function writeDataFiles(design: ElaboratedDesign, dir: string): string[] {
  return Object.entries(design.files ?? {}).map(([name, text]) => {
    const path = join(dir, name);
    writeFileAtomic(path, text);
    return path;
  });
}

/** Writes the Verilog to `path` (atomically) and its data files into the same folder. */
export function writeVerilog(design: ElaboratedDesign, path: string): void {
  writeDataFiles(design, dirname(path));
  writeFileAtomic(path, design.verilog);
}

/**
 * Elaborates and prints the Verilog on stdout: a generator with its parameters, or a function
 * returning an elaborated design. Data files go to the working directory (named on stderr). A
 * design error goes to stderr with exit code 1.
 */
export function printVerilog(design: () => ElaboratedDesign): void;
export function printVerilog<P, IO>(def: ModuleDef<P, IO>, ...args: ParamArgs<P>): void;
export function printVerilog(def: ModuleDef<unknown, unknown> | (() => ElaboratedDesign), ...args: unknown[]): void {
  endQuietlyOnClosedStdout();
  let design: ElaboratedDesign;
  try {
    design = def instanceof ModuleDef ? (elaborate as (d: typeof def, p?: unknown) => ElaboratedDesign)(def, args[0]) : def();
  } catch (e) {
    if (!(e instanceof HdlError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = 1;
    return;
  }
  for (const path of writeDataFiles(design, process.cwd())) process.stderr.write(`wrote ${path}\n`);
  process.stdout.write(design.verilog);
}
