/**
 * Probes: internal signals of the elaborated design watched by hierarchical path, checked
 * against the design's IR before anything is built. A path is instance names from the top, then
 * a signal of that instance (a port, wire, register, registered memory read, or the parent's
 * signal for a child's port) or one word of a memory: `count`, `q.stored`, `q.storage[3]`. The
 * names are the Verilog names (what the VCD shows). Widths and signedness come from the IR.
 */
import { isImplicitPort } from "../hdl/core/clock.js";
import type { ElaboratedDesign } from "../hdl/core/design.js";
import type { IrDesign, IrExpr, IrModule, IrSignal } from "../hdl/core/ir.js";
import { forEachRead } from "../hdl/core/walk.js";
import { SimProbeError, SimUsageError } from "./errors.js";

export interface ProbeInfo {
  /** The path as given, e.g. "q.count": the probe's name in peeks and samples. */
  readonly name: string;
  readonly width: number;
  readonly signed: boolean;
  /** Verilog instance names from the top (empty for a signal of the top). */
  readonly instances: readonly string[];
  /** Verilog name of the signal, or of the memory. */
  readonly signal: string;
  /** The memory word, for a probe of a memory. */
  readonly word?: number;
  /** The hierarchical reference below the design's instance: "q.count", "q.storage[3]". */
  readonly reference: string;
}

/** Suggestions given for a misspelt name. */
const NEAREST = 5;

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const LAST = /^([A-Za-z_][A-Za-z0-9_$]*)(?:\[(\d+)\])?$/;

/** Signals the language named itself (an unnamed Reg or Wire): their names change with the design. */
function unnamed(s: IrSignal): boolean {
  return !s.explicit && /^_(reg|wire)(_|$)/.test(s.hint);
}

/** The IR of an elaborated design, or a usage error for designs given as Verilog only. */
function irOf(design: ElaboratedDesign): IrDesign {
  const ir = (design as { ir?: IrDesign }).ir;
  if (ir === undefined) throw new SimUsageError(`probes need the design's IR: ${design.top} has only Verilog (elaborate it from TypeScript)`);
  return ir;
}

/** Resolves every probe path against the design's IR; the first bad path raises SimProbeError. */
export function resolveProbes(design: ElaboratedDesign, paths: readonly string[] | undefined): ProbeInfo[] {
  if (paths === undefined || paths.length === 0) return [];
  const ir = irOf(design);
  const seen = new Set<string>();
  return paths.map((path) => {
    if (typeof path !== "string") throw new SimUsageError(`probes: expected strings, got ${typeof path}`);
    if (seen.has(path)) throw new SimUsageError(`probe "${path}" is listed twice`);
    seen.add(path);
    return resolve(ir, path);
  });
}

function resolve(ir: IrDesign, path: string): ProbeInfo {
  const parts = path.split(".");
  const last = LAST.exec(parts[parts.length - 1]!);
  if (!last || parts.slice(0, -1).some((p) => !IDENT.test(p))) {
    throw new SimUsageError(`probe "${path}": expected instance names and a signal, separated by dots (e.g. "q.count" or "q.storage[3]")`);
  }
  const fail = (m: IrModule, where: string, what: string, name: string): never => {
    throw new SimProbeError(path, `${where} has no ${what} "${name}"`, nearest(m, instances, name));
  };
  let m = ir.top;
  const instances: string[] = [];
  for (const name of parts.slice(0, -1)) {
    const where = describe(m, instances);
    const inst = m.instances.find((i) => i.name === name);
    if (!inst) {
      if (signalsOf(m).some((s) => s.name === name)) throw new SimProbeError(path, `"${name}" is a signal of ${where}, not an instance`, []);
      fail(m, where, "instance", name);
    }
    instances.push(name);
    m = inst!.of;
    if (m.blackbox) throw new SimProbeError(path, `instance ${instances.join(".")} is the blackbox ${m.blackbox.moduleName}, whose Verilog the IR does not see`, []);
  }
  const [, name, wordText] = last;
  const where = describe(m, instances);
  const reference = (tail: string): string => [...instances, tail].join(".");
  const signal = signalsOf(m).find((s) => s.name === name);
  if (signal) {
    if (wordText !== undefined) throw new SimProbeError(path, `${name} is a signal of ${where}, not a memory: probe it without [${wordText}]`, []);
    if (instances.length === 0 && (signal.kind === "input" || signal.kind === "output")) {
      throw new SimProbeError(path, `${name} is a port of ${m.name}: peek it by its name, without a probe`, []);
    }
    if (unnamed(signal)) throw new SimProbeError(path, `${name} is the name the language gave an unnamed signal of ${where} (it changes with the design): give it a name to probe it`, []);
    return { name: path, width: signal.width, signed: signal.signed, instances, signal: name!, reference: reference(name!) };
  }
  const mem = m.memories.find((x) => x.name === name);
  if (mem) {
    const range = `0 .. ${mem.depth - 1}`;
    if (wordText === undefined) throw new SimProbeError(path, `${name} is a memory of ${where}: probe one word, ${name}[i] with i in ${range}`, []);
    const word = Number(wordText);
    if (!(word < mem.depth)) throw new SimProbeError(path, `memory ${name} of ${where} has ${mem.depth} words: the word must be in ${range}`, []);
    return { name: path, width: mem.width, signed: mem.signed, instances, signal: name!, word, reference: reference(`${name}[${word}]`) };
  }
  if (namedExpressions(m).has(name!)) {
    throw new SimProbeError(path, `${name} is a named expression of ${where}, not a signal (the Verilog may inline or rename it): make it a Wire to probe it`, []);
  }
  return fail(m, where, "signal, memory or instance", name!);
}

function describe(m: IrModule, instances: readonly string[]): string {
  return instances.length === 0 ? `the top module ${m.name}` : `instance ${instances.join(".")} (module ${m.name})`;
}

function signalsOf(m: IrModule): IrSignal[] {
  return [...m.ports, ...m.signals];
}

/** The hints of the module's operator nodes: values the user named without making them signals. */
function namedExpressions(m: IrModule): Set<string> {
  const out = new Set<string>();
  const stack: IrExpr[] = [];
  forEachRead(m.body, (e) => stack.push(e));
  for (const s of m.signals) if (s.enable) stack.push(s.enable);
  for (const mem of m.memories) {
    for (const r of mem.readPorts) stack.push(r.addr, ...(r.enable ? [r.enable] : []));
    for (const w of mem.writePorts) stack.push(w.addr, w.data, w.enable);
  }
  for (const v of m.verification) stack.push(v.cond, v.enable, ...v.args);
  const seen = new Set<IrExpr>();
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.k !== "op" || seen.has(e)) continue;
    seen.add(e);
    if (e.hint !== undefined) out.add(e.hint);
    stack.push(...e.args);
  }
  return out;
}

/**
 * The names closest to `name` where the path went wrong (in module `m`, reached by `instances`):
 * its signals, memories (as `name[i]`) and instances (as `name.`), and the full paths of signals
 * of that name, give or take a letter, further down. Left out as rarely meant: the implicit
 * clock and reset, and the top's ports (peeked without a probe).
 */
function nearest(m: IrModule, instances: readonly string[], name: string): string[] {
  const wanted = name.toLowerCase();
  const probeable = (x: IrModule, s: IrSignal, top: boolean): boolean => !unnamed(s) && !isImplicitPort(s) && !(top && x.ports.includes(s));
  const local = [
    ...signalsOf(m).filter((s) => probeable(m, s, instances.length === 0)).map((s) => ({ key: s.name, shown: s.name, d: 0 })),
    ...m.memories.map((x) => ({ key: x.name, shown: `${x.name}[i]`, d: 0 })),
    ...m.instances.map((i) => ({ key: i.name, shown: `${i.name}.`, d: 0 })),
  ].map((c) => ({ ...c, d: distance(wanted, c.key.toLowerCase()) }));
  const deeper: { key: string; shown: string; d: number }[] = [];
  const todo = m.instances.filter((i) => !i.of.blackbox).map((i) => ({ m: i.of, path: [...instances, i.name] }));
  for (let k = 0; k < todo.length && deeper.length < NEAREST; k++) {
    const { m: x, path } = todo[k]!;
    for (const s of signalsOf(x)) {
      const d = probeable(x, s, false) ? distance(wanted, s.name.toLowerCase()) : 2;
      if (d <= 1) deeper.push({ key: s.name, shown: [...path, s.name].join("."), d });
    }
    for (const i of x.instances) if (!i.of.blackbox) todo.push({ m: i.of, path: [...path, i.name] });
  }
  const order = (a: { d: number; key: string }, b: { d: number; key: string }): number => a.d - b.d || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  local.sort(order);
  // the names within a few edits; when none is, the closest few anyway
  const close = local.filter((c) => c.d <= Math.max(2, Math.ceil(name.length / 2)));
  const ranked = [...deeper, ...(close.length > 0 ? close : local)].sort((a, b) => a.d - b.d);
  return ranked.slice(0, NEAREST).map((c) => c.shown);
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
