/** Helpers for design files that print their Verilog when run directly (`npx tsx design.ts > design.v`). */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { elaborate } from "./elaborate.js";
import { HdlError } from "./errors.js";
import type { ModuleDef, ParamArgs } from "./module.js";

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

/** Elaborates and prints the Verilog on stdout; a design error goes to stderr with exit code 1. */
export function printVerilog<P, IO>(def: ModuleDef<P, IO>, ...args: ParamArgs<P>): void {
  try {
    process.stdout.write(elaborate(def, ...args).verilog);
  } catch (e) {
    if (!(e instanceof HdlError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = 1;
  }
}
