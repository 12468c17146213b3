/**
 * Modules: `defineModule(name, body)` is a generator; each distinct parameter
 * value elaborates once into its own Verilog module, named deterministically
 * from the parameters. `instance()` places one inside the current module.
 */
import { createHash } from "node:crypto";
import { currentContext, freshId, withContext, type ModuleContext } from "./context.js";
import { HdlError } from "./errors.js";
import { DEFAULT_RESET, refTo, type IrBlackbox, type IrInstance, type IrModule, type IrSignal, type ResetStyle } from "./ir.js";
import { nameAt } from "./naming.js";
import { userLocation, type SourceLoc } from "./source.js";
import { VecValue } from "./hardware.js";
import { Var } from "./var.js";
import type { GroundType } from "./types.js";
import { ensureClock, ensureReset, isImplicitPort } from "./clock.js";
import { isKeyword } from "./names.js";
import { bundleTypeOf, tagBundle } from "./bundle-tag.js";

/** What a module body returns: its ports, as a record (possibly nested) of port values. */
export type PortsShape = Var | VecValue<never> | { readonly [key: string]: PortsShape } | readonly PortsShape[];

export interface ModuleOptions<P> {
  /** Verilog module name for given parameters (default: name plus a suffix derived from the parameters). */
  readonly moduleName?: (params: P) => string;
}

export interface BlackboxOptions<P> extends ModuleOptions<P> {
  /** Verilog source of the module (emitted once with the design); omit if it comes from elsewhere. */
  readonly verilog?: string;
  /** Verilog parameters (`#(...)`) for given generator parameters. */
  readonly parameters?: (params: P) => Readonly<Record<string, number | string>>;
}

/** Parameters may be left out when the generator takes none. */
export type ParamArgs<P> = undefined extends P ? [params?: P] : [params: P];
export type InstanceArgs<P> = undefined extends P
  ? [params?: P, opts?: { readonly name?: string }]
  : [params: P, opts?: { readonly name?: string }];

export class ModuleDef<P, IO> {
  /** Where the generator was defined. */
  readonly loc: SourceLoc = userLocation();

  constructor(
    readonly name: string,
    readonly body: (params: P) => IO,
    readonly options: BlackboxOptions<P> & { readonly blackbox?: boolean },
  ) {}

  /** Places an instance of this module (with `params`) in the module being built; returns its ports. */
  instance(...args: InstanceArgs<P>): IO {
    const [params, opts] = args;
    return instantiate(this, params as P, opts?.name);
  }
}

/** Defines a module generator: `body` declares ports and logic and returns the ports. */
export function defineModule<P, IO>(name: string, body: (params: P) => IO, options: ModuleOptions<P> = {}): ModuleDef<P, IO> {
  checkIdentifier(name);
  return new ModuleDef(name, body, options);
}

/** An existing Verilog module: `ports` declares its ports (Input/Output) and nothing else. */
export function defineBlackbox<P, IO>(name: string, ports: (params: P) => IO, options: BlackboxOptions<P> = {}): ModuleDef<P, IO> {
  checkIdentifier(name);
  return new ModuleDef(name, ports, { ...options, blackbox: true });
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

function checkIdentifier(name: string): void {
  if (typeof name !== "string" || !IDENTIFIER.test(name)) throw new HdlError(userLocation(), `${JSON.stringify(name)} is not a valid Verilog module name: use letters, digits and _`);
}

interface Elaborated {
  readonly module: IrModule;
  readonly io: unknown;
}

/** A module whose body is running: its generator, parameter key and instantiation site. */
interface Building {
  readonly def: ModuleDef<never, unknown>;
  readonly key: string;
  readonly name: string;
  readonly site: SourceLoc;
}

/** Per-elaboration state: generated modules by generator and parameter key. */
export class ElaborationState {
  readonly byDef = new Map<ModuleDef<never, unknown>, Map<string, Elaborated>>();
  readonly names = new Set<string>();
  /** Finished modules, children before parents. */
  readonly order: IrModule[] = [];
  /** Modules being built, outermost first: the path to the one running now. */
  readonly building: Building[] = [];
  /** The path of modules being built when the call stack ran out, if it did. */
  overflow: readonly Building[] | undefined;
}

/** V8's error for an exhausted call stack (also when a pattern could not even be compiled for lack of it). */
export function isStackOverflow(e: unknown): boolean {
  return (e instanceof RangeError && e.message.includes("call stack")) || (e instanceof SyntaxError && e.message.includes("Stack overflow"));
}

let state: ElaborationState | undefined;

export function withElaborationState<T>(s: ElaborationState, body: () => T): T {
  const saved = state;
  state = s;
  try {
    return body();
  } finally {
    state = saved;
  }
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === "bigint" ? `${x}n` : x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  ) ?? "";
}

function paramSuffix(params: unknown): string {
  if (params === undefined || params === null) return "";
  const prim = (x: unknown): string | undefined =>
    typeof x === "number" && Number.isInteger(x) ? (x < 0 ? `m${-x}` : `${x}`)
    : typeof x === "boolean" ? (x ? "1" : "0")
    : typeof x === "string" && /^[A-Za-z0-9_]{1,16}$/.test(x) ? x
    : undefined;
  const direct = prim(params);
  let suffix: string | undefined = direct === undefined ? undefined : `_${direct}`;
  if (suffix === undefined && typeof params === "object" && !Array.isArray(params)) {
    const parts = Object.entries(params as Record<string, unknown>).map(([k, v]) => {
      const p = prim(v);
      return p === undefined ? undefined : `${k}${p}`;
    });
    if (parts.every((p) => p !== undefined)) suffix = parts.length === 0 ? "" : `_${parts.join("_")}`;
  }
  if (suffix !== undefined && suffix.length <= 48) return suffix;
  return `_h${createHash("sha256").update(canonical(params)).digest("hex").slice(0, 8)}`;
}

function uniqueModuleName(s: ElaborationState, base: string): string {
  let name = base;
  for (let i = 1; s.names.has(name); i++) name = `${base}_${i}`;
  s.names.add(name);
  return name;
}

/** Elaborates `def` with `params` once per elaboration; later calls reuse the module. */
export function elaborateModule<P, IO>(def: ModuleDef<P, IO>, params: P, loc: SourceLoc, style: ResetStyle = DEFAULT_RESET): Elaborated {
  const s = state;
  if (!s) throw new HdlError(loc, `module ${def.name} can only be instantiated inside elaborate() or another module`);
  const styled = style.kind !== DEFAULT_RESET.kind || style.active !== DEFAULT_RESET.active;
  // one module per parameter set and implicit reset style
  const key = canonical(params) + (styled ? `#reset-${style.kind}-${style.active}` : "");
  const cache = s.byDef.get(def as ModuleDef<never, unknown>) ?? new Map<string, Elaborated>();
  s.byDef.set(def as ModuleDef<never, unknown>, cache);
  const hit = cache.get(key);
  if (hit) return hit;
  checkNotBuilding(s, def as ModuleDef<never, unknown>, key, loc);
  const bb = def.options.blackbox;
  const { name: baseName, problem: nameProblem } = moduleNameOf(def, params, loc);
  const module: IrModule = {
    // a module built for a non-default reset style is named for it once its body shows it has a reset
    name: bb ? baseName : styled ? baseName : uniqueModuleName(s, baseName),
    loc: def.loc,
    params: key,
    ports: [],
    signals: [],
    memories: [],
    instances: [],
    body: [],
    hasClock: false,
    hasReset: false,
    resetStyle: style,
    domains: [],
    verification: [],
    ...(bb ? { blackbox: blackboxInfo(def, params, baseName) } : {}),
  };
  if (bb) s.names.add(baseName);
  const ctx: ModuleContext = { module, block: module.body, conditions: [], generator: def.name, site: loc };
  s.building.push({ def: def as ModuleDef<never, unknown>, key, name: module.name, site: loc });
  let io: IO;
  try {
    io = withContext(ctx, () => def.body(params));
  } catch (e) {
    // When the stack ran out, little of it is left here: record the path with as little work as
    // possible (no pattern matching); elaborate() decides what the error was.
    if (s.overflow === undefined && e instanceof RangeError) s.overflow = s.building.slice();
    throw e;
  } finally {
    s.building.pop();
  }
  if (nameProblem) throw nameProblem;
  if (styled && !bb) {
    const suffix = module.hasReset ? `${style.kind === "async" ? "_areset" : ""}${style.active === "low" ? "_resetn" : ""}` : "";
    module.name = uniqueModuleName(s, baseName + suffix);
  }
  checkPorts(module, io, def.name, loc);
  if (bb && (module.signals.length > 0 || module.body.length > 0 || module.memories.length > 0 || module.instances.length > 0)) {
    throw new HdlError(module.signals[0]?.loc ?? module.body[0]?.loc ?? loc, `blackbox ${def.name} may only declare ports`);
  }
  const result: Elaborated = { module, io };
  cache.set(key, result);
  s.order.push(module);
  return result;
}

/** A module containing itself (directly or through others) would never finish: name the whole path. */
function checkNotBuilding(s: ElaborationState, def: ModuleDef<never, unknown>, key: string, loc: SourceLoc): void {
  const at = s.building.findIndex((b) => b.def === def && b.key === key);
  if (at < 0) return;
  const path = s.building.slice(at);
  const names = [...path.map((b) => b.name), path[0]!.name].join(" -> ");
  const inside = s.building[s.building.length - 1]!.name;
  throw new HdlError(
    loc,
    `module ${inside} instantiates ${path[0]!.name}, which contains it: ${names} would never end; a module cannot contain itself`,
    path.map((b) => b.site),
  );
}

/** The Verilog name for `params`: the generator's choice or name plus parameter suffix; keywords get a trailing `_`. */
/**
 * The Verilog name for `params`: the generator's choice or name plus parameter suffix; keywords
 * get a trailing `_`. A chosen name that is not an identifier comes back as `problem`, raised
 * after the body ran, so that the body's own parameter checks speak first.
 */
function moduleNameOf<P, IO>(def: ModuleDef<P, IO>, params: P, loc: SourceLoc): { name: string; problem?: HdlError } {
  const chosen = def.options.moduleName?.(params);
  if (chosen !== undefined && (typeof chosen !== "string" || !IDENTIFIER.test(chosen))) {
    const problem = new HdlError(loc, `moduleName of ${def.name} returned ${JSON.stringify(chosen)}, which is not a Verilog identifier: use letters, digits and _`);
    return { name: def.name, problem };
  }
  const name = chosen ?? `${def.name}${paramSuffix(params)}`;
  if (!isKeyword(name)) return { name };
  if (def.options.blackbox) throw new HdlError(loc, `blackbox ${name} has a Verilog keyword as its name: no Verilog module can be called that`);
  return { name: `${name}_` };
}

function blackboxInfo<P, IO>(def: ModuleDef<P, IO>, params: P, moduleName: string): IrBlackbox {
  return {
    moduleName,
    parameters: def.options.parameters?.(params) ?? {},
    ...(def.options.verilog !== undefined ? { verilog: def.options.verilog } : {}),
  };
}

function forEachLeaf(io: unknown, visit: (v: Var, path: string) => void, path = ""): void {
  if (io instanceof Var) visit(io, path);
  else if (io instanceof VecValue) io.elements.forEach((e, i) => forEachLeaf(e, visit, `${path}[${i}]`));
  else if (Array.isArray(io)) io.forEach((e, i) => forEachLeaf(e, visit, `${path}[${i}]`));
  else if (io && typeof io === "object") for (const [k, v] of Object.entries(io)) forEachLeaf(v, visit, path ? `${path}.${k}` : k);
  else throw new HdlError(userLocation(), `the ports returned by a module body must be port values, found ${String(io)} at ${path || "the top"}`);
}

function checkPorts(module: IrModule, io: unknown, defName: string, loc: SourceLoc): void {
  if (io === undefined) return;
  forEachLeaf(io, (v, path) => {
    const s = v.signal;
    if (s.module !== module || (s.kind !== "input" && s.kind !== "output")) {
      throw new HdlError(s.loc, `module ${defName} returns ${path || "a value"} (${s.hint}) that is not one of its ports`, [loc]);
    }
  });
}

/** Maps the child's returned ports to the parent-side signals of one instance. */
function mirror(io: unknown, map: Map<IrSignal, Var>): unknown {
  if (io instanceof Var) return map.get(io.signal);
  if (io instanceof VecValue) return new VecValue(io.elements.map((e) => mirror(e, map)) as never[], io.elemType);
  if (Array.isArray(io)) return io.map((e) => mirror(e, map));
  if (io && typeof io === "object") {
    const out = Object.fromEntries(Object.entries(io).map(([k, v]) => [k, mirror(v, map)]));
    const type = bundleTypeOf(io);
    if (type) tagBundle(out, type);
    return out;
  }
  return io;
}

function instantiate<P, IO>(def: ModuleDef<P, IO>, params: P, name: string | undefined): IO {
  const loc = userLocation();
  const ctx = currentContext(`instance of ${def.name}`);
  const parent = ctx.module;
  // the child runs in the domain in scope: its implicit clock and reset become the domain's
  const domain = ctx.domain;
  const child = elaborateModule(def, params, loc, domain?.style ?? parent.resetStyle);
  if (domain) {
    if (child.module.hasReset && !domain.reset) {
      throw new HdlError(loc, `module ${child.module.name} has registers with reset values but clock domain ${domain.name} has no reset: give the domain a reset`, [domain.loc]);
    }
  } else {
    if (child.module.hasClock) ensureClock(ctx);
    if (child.module.hasReset) ensureReset(ctx);
  }
  const hint = name ?? nameAt(loc) ?? `${child.module.name.charAt(0).toLowerCase()}${child.module.name.slice(1)}`;
  const inst: IrInstance = { id: freshId(), of: child.module, loc, parent, hint, explicit: name !== undefined, name: hint, ports: new Map(), ...(domain ? { domain } : {}) };
  const map = new Map<IrSignal, Var>();
  for (const p of child.module.ports) {
    if (isImplicitPort(p)) continue;
    const signal: IrSignal = {
      id: freshId(),
      kind: p.kind === "input" ? "instIn" : "instOut",
      width: p.width,
      signed: p.signed,
      loc,
      module: parent,
      hint: `${hint}_${p.name}`,
      explicit: false,
      name: `${hint}_${p.name}`,
      instance: inst,
      childPort: p,
      ...(p.enumVariants ? { enumVariants: p.enumVariants } : {}),
    };
    parent.signals.push(signal);
    inst.ports.set(p, signal);
    const type: GroundType = p.signed ? { kind: "sint", width: p.width } : { kind: "uint", width: p.width };
    map.set(p, new Var(refTo(signal), type, parent));
  }
  parent.instances.push(inst);
  return mirror(child.io, map) as IO;
}
