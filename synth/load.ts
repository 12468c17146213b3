import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ElaboratedDesign } from "../hdl/core/design.js";
import { ModuleDef, elaborate } from "../hdl/core/index.js";

function isDesign(x: unknown): x is ElaboratedDesign {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as ElaboratedDesign).top === "string" &&
    typeof (x as ElaboratedDesign).verilog === "string" &&
    Array.isArray((x as ElaboratedDesign).ports)
  );
}

/**
 * Load the ElaboratedDesign a TypeScript (or JavaScript) module provides.
 * Convention: the module's `default` export, else its export named `design`, is
 * either an ElaboratedDesign or a zero-argument function returning one (or a
 * Promise of one). Run under tsx (or vitest) so `.ts` files can be imported.
 * Alternatively `opts.module` names an exported module generator (`defineModule`),
 * elaborated with `opts.params`.
 */
export async function loadDesignModule(
  path: string,
  opts: { readonly module?: string; readonly params?: unknown } = {},
): Promise<ElaboratedDesign> {
  const mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  if (opts.module !== undefined) {
    const def = mod[opts.module];
    if (!(def instanceof ModuleDef)) {
      const defs = Object.entries(mod)
        .filter(([, v]) => v instanceof ModuleDef)
        .map(([k]) => k);
      throw new Error(`${path}: no exported module generator "${opts.module}"; exported generators: ${defs.join(", ") || "none"}`);
    }
    return (elaborate as (d: ModuleDef<unknown, unknown>, p?: unknown) => ElaboratedDesign)(def as ModuleDef<unknown, unknown>, opts.params);
  }
  const candidates: [string, unknown][] = [
    ["default", mod.default],
    ["design", mod.design],
  ];
  for (const [name, value] of candidates) {
    if (value === undefined) continue;
    let v: unknown = value;
    if (typeof v === "function") {
      if ((v as (...args: unknown[]) => unknown).length > 0) {
        throw new Error(`${path}: export "${name}" is a function with parameters; export a zero-argument function or an ElaboratedDesign`);
      }
      v = await (v as () => unknown)();
    }
    if (isDesign(v)) return v;
    throw new Error(`${path}: export "${name}" is not an ElaboratedDesign (expected { top, verilog, ports })`);
  }
  throw new Error(`${path}: no \`export default\` or \`export const design\` providing an ElaboratedDesign`);
}
