/**
 * The files a simulator build needs from an elaborated design: `design.v`, and the data files
 * its memories load by bare name (`$readmemh("NAME", ...)`, from `initAsFile`), written next to
 * it and named in the Verilog by their absolute path in the finished cache entry, so the
 * compiled model finds them wherever it runs.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ElaboratedDesign } from "../hdl/core/design.js";

/** Everything of the design that goes into a build's cache key. */
export function designKey(design: ElaboratedDesign): string[] {
  const files = Object.entries(design.files ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return [design.verilog, ...files.flat()];
}

/** Writes design.v (data file names made absolute under `finalDir`) and the data files into `tmpDir`. */
export async function writeDesignFiles(design: ElaboratedDesign, tmpDir: string, finalDir: string): Promise<string> {
  let verilog = design.verilog;
  for (const [name, text] of Object.entries(design.files ?? {})) {
    await writeFile(join(tmpDir, name), text);
    verilog = verilog.split(`$readmemh(${JSON.stringify(name)},`).join(`$readmemh(${JSON.stringify(join(finalDir, name))},`);
  }
  await writeFile(join(tmpDir, "design.v"), verilog);
  return verilog;
}
