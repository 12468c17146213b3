/**
 * Loading the design a TypeScript or JavaScript file provides, for synthesis from the command
 * line. Convention: the module's `default` export, else its export named `design`, is an
 * ElaboratedDesign or a zero-argument function returning one (or a Promise of one); or
 * `opts.module` names an exported module generator (`defineModule`), elaborated with
 * `opts.params`. Run under tsx (or vitest) so `.ts` files can be imported. Every problem is a
 * DesignModuleError naming the file and what to export or pass.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ElaboratedDesign } from "../hdl/core/design.js";
import { HdlError, ModuleDef, elaborate } from "../hdl/core/index.js";
import { UsageError } from "../hdl/core/cli.js";

export class DesignModuleError extends Error {
  override name = "DesignModuleError";
}

function isDesign(x: unknown): x is ElaboratedDesign {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as ElaboratedDesign).top === "string" &&
    typeof (x as ElaboratedDesign).verilog === "string" &&
    Array.isArray((x as ElaboratedDesign).ports)
  );
}

function generators(mod: Record<string, unknown>): string[] {
  return Object.entries(mod)
    .filter(([, v]) => v instanceof ModuleDef)
    .map(([k]) => k);
}

function fromGenerator(path: string, mod: Record<string, unknown>, name: string, params: unknown): ElaboratedDesign {
  const def = mod[name];
  if (!(def instanceof ModuleDef)) {
    throw new DesignModuleError(`${path}: no exported module generator "${name}"; exported generators: ${generators(mod).join(", ") || "none"}`);
  }
  const gen = def as ModuleDef<unknown, unknown>;
  if (params === undefined && gen.body.length > 0) {
    throw new DesignModuleError(`${path}: generator ${name} takes parameters: give them as JSON with --params, e.g. --params '{"width":8}'`);
  }
  return (elaborate as (d: ModuleDef<unknown, unknown>, p?: unknown) => ElaboratedDesign)(gen, params);
}

export async function loadDesignModule(
  path: string,
  opts: { readonly module?: string; readonly params?: unknown } = {},
): Promise<ElaboratedDesign> {
  if (!existsSync(path)) throw new DesignModuleError(`${path}: no such file`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof HdlError) throw e;
    throw new DesignModuleError(`${path}: loading it failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (opts.module !== undefined) return fromGenerator(path, mod, opts.module, opts.params);
  const candidates: [string, unknown][] = [
    ["default", mod.default],
    ["design", mod.design],
  ];
  for (const [name, value] of candidates) {
    if (value === undefined) continue;
    let v: unknown = value;
    if (typeof v === "function") {
      if ((v as (...args: unknown[]) => unknown).length > 0) {
        throw new DesignModuleError(`${path}: export "${name}" is a function with parameters; export a zero-argument function or an ElaboratedDesign`);
      }
      v = await (v as () => unknown)();
    }
    if (isDesign(v)) return v;
    throw new DesignModuleError(`${path}: export "${name}" is not an ElaboratedDesign (expected { top, verilog, ports })`);
  }
  const gens = generators(mod);
  const hint = gens.length > 0 ? `, or name one of its generators (${gens.join(", ")}) with --module NAME --params JSON` : "";
  throw new DesignModuleError(`${path}: no \`export default\` or \`export const design\` providing an ElaboratedDesign${hint}`);
}

/** The `--params` option of the command lines that load a design: JSON, or a usage error. */
export function parseParamsOption(text: string | undefined, usage: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`--params must be JSON, got ${text}`, usage);
  }
}
