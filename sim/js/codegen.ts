/**
 * The JS source of a flattened design (see `model.ts` for how it runs). Combinational logic is
 * levelised: every operator node and every combinational signal becomes one assignment, written
 * after everything it reads, so one pass computes a settled state. Registers and synchronous
 * read ports compute their next values from the settled state at a rising edge of their clock;
 * then the memories are written (in program order, from the same settled state) and then all
 * registers take their next values. Without `checkUninitialised`, blocks of this code whose
 * inputs did not change are skipped (`activity.ts`).
 */
import type { IrExpr, IrOp, IrSignal, IrStmt, IrVerification, IrWritePort } from "../../hdl/core/ir.js";
import { projectAll, type Projection } from "../../hdl/core/project.js";
import { formatLoc } from "../../hdl/core/source.js";
import { log2Ceil } from "../../hdl/core/types.js";
import { forEachRead } from "../../hdl/core/walk.js";
import { SimUsageError } from "../errors.js";
import { Activity, markToken } from "./activity.js";
import { opCode } from "./emit-op.js";
import type { FlatDomain, FlatMemory, FlatSignal, Netlist, Scope } from "./flatten.js";
import { OriginTable, type Origin, type Sink } from "./origins.js";
import { MID_HELPERS, ext, literalCode, toUser, zeroCode, type Operand } from "./repr.js";
import { KNOWN, anyUnknown, decided, shadowOpCode } from "./shadow.js";

/** Statements per generated function (large functions are not optimised by V8). */
const CHUNK_LINES = 100;
/** Deepest nesting of operators written inline into one expression. */
const MAX_INLINE_DEPTH = 12;
/** Longest shadow expression written inline (a shadow may read its operands' twice: see shadow.ts). */
const MAX_INLINE_SHADOW = 160;

export interface VcdSignal {
  readonly path: readonly string[];
  readonly name: string;
  readonly width: number;
  readonly id: number;
}

export interface ModelSource {
  /** The body of `function (h)` returning the model's closures. */
  readonly source: string;
  /** The flat signal of each top port, in port order. */
  readonly portSignals: readonly number[];
  /** Clock nets, by index; each may be stepped by `edge[k]` when `fastClock[k]`. */
  readonly clocks: readonly FlatSignal[];
  readonly fastClock: readonly boolean[];
  readonly memories: readonly FlatMemory[];
  readonly vcd: readonly VcdSignal[];
  /** With `checkUninitialised`: the origins of unknown values, the readers reported at edges, each memory's first origin. */
  readonly uninit?: { readonly origins: readonly Origin[]; readonly sinks: readonly Sink[]; readonly memoryBase: readonly number[] };
}

export interface GenerateOptions {
  /**
   * Also compute a shadow per value (`shadow.ts`, kept in the typed arrays US, UN and UT beside
   * the values' variables, and `mu<k>` beside each memory), with reports of unknown values read at
   * edges through `h.uninit`. Off: the source is exactly the one without the option.
   */
  readonly checkUninitialised?: boolean;
  /**
   * Blocks of combinational logic and of next values run only when something they read changed
   * (`activity.ts`); default on without `checkUninitialised`, always off with it (the shadows
   * are evaluated in full). Off: every assignment every settle and every edge, the code the
   * shadow model adds its lines to.
   */
  readonly activity?: boolean;
}

/** What an edge of one clock does: next values computed, memories written, registers updated (in this order). */
interface Phases {
  readonly compute: string[][];
  readonly write: string[][];
  readonly commit: string[][];
}

/** A register or synchronous read port updated at an edge. */
interface Stateful {
  readonly target: FlatSignal;
  readonly domain: FlatDomain;
  readonly compute: string[];
  readonly commit: string[];
}

export function generate(net: Netlist, opts: GenerateOptions = {}): ModelSource {
  const u = opts.checkUninitialised === true;
  return new Generator(net, u, !u && opts.activity !== false).run();
}

class Generator {
  private readonly temps = new Map<Scope, Map<IrOp, number>>();
  private tempCount = 0;
  private readonly projections = new Map<Scope["module"], Map<IrSignal, Projection>>();
  private readonly comb: string[][] = [];
  private readonly state: Stateful[] = [];
  private readonly writes: { domain: FlatDomain; lines: string[] }[] = [];
  private readonly asyncResets: string[] = [];
  /** assert / assume / cover / printf: lines run at their domain's edges, and their counters */
  private readonly checks: { domain: FlatDomain; lines: string[] }[] = [];
  private readonly checkVars: string[] = [];
  /** Flat signals read by some combinational expression. */
  private readonly readAsData = new Set<number>();
  private readonly done = new Set<string>();
  /** Temporaries written inline into their only reader, with their nesting depth. */
  private readonly inlined = new Map<number, { code: string; depth: number }>();
  private readonly single = new Map<Scope["module"], Set<IrOp>>();
  /** Combinational signals that are another variable under a new name. */
  private readonly alias = new Map<number, string>();

  /** With `checkUninitialised`: the origins, the edge-time readers and the shadows of inlined temporaries. */
  private readonly table: OriginTable | undefined;
  private readonly sinks: Sink[] = [];
  private readonly inlinedU = new Map<number, string>();

  constructor(
    private readonly net: Netlist,
    /** Shadows on (`checkUninitialised`). */
    private readonly u: boolean,
    /** Activity tracking on (`activity.ts`). */
    private readonly active: boolean,
  ) {
    this.table = u ? new OriginTable(net) : undefined;
  }

  run(): ModelSource {
    const net = this.net;
    for (const s of net.scopes) this.scopeLogic(s);
    // Clock nets in order of first use.
    const clocks: FlatSignal[] = [];
    const clockIndex = (f: FlatSignal): number => {
      let k = clocks.indexOf(f);
      if (k < 0) k = clocks.push(f) - 1;
      return k;
    };
    const byClock = new Map<number, Phases>();
    const group = (d: FlatDomain): Phases => {
      const k = clockIndex(d.clock);
      let g = byClock.get(k);
      if (!g) byClock.set(k, (g = { compute: [], write: [], commit: [] }));
      return g;
    };
    const stateOf: Stateful[][] = [];
    for (const st of this.state) {
      group(st.domain);
      (stateOf[clockIndex(st.domain.clock)] ??= []).push(st);
    }
    for (const w of this.writes) group(w.domain).write.push(w.lines);
    for (const c of this.checks) group(c.domain);
    // Without shadows, blocks of logic run only when something they read changed (activity.ts).
    const act = this.active ? new Activity(this.comb, clocks.map((_, k) => (stateOf[k] ?? []).map((st) => ({ compute: st.compute, target: st.target.id })))) : undefined;
    clocks.forEach((_, k) => {
      const g = byClock.get(k)!;
      g.compute.push(...(act ? act.compute[k]! : (stateOf[k] ?? []).map((st) => st.compute)));
      g.commit.push(...(act ? act.commit[k]! : (stateOf[k] ?? []).map((st) => st.commit)));
    });
    // verification statements run at every edge of their domain (they count the edges)
    for (const c of this.checks) group(c.domain).compute.push(c.lines);
    // edges of each clock so far: the cycle an edge-time report names
    if (this.u) clocks.forEach((c, k) => byClock.get(k)?.commit.push([`  uc${c.id}++;`]));
    const fastClock = clocks.map((c) => c.kind === "input" && c.scope === net.top && !this.readAsData.has(c.id));

    const L: string[] = ['"use strict";', ...MID_HELPERS];
    for (const f of net.signals) L.push(`let s${f.id} = ${zeroCode(f.width)};`);
    for (const st of this.state) L.push(`let n${st.target.id} = ${zeroCode(st.target.width)};`);
    if (this.u) {
      // in typed arrays: as many variables again would slow every access to the model's state
      L.push(`const US = new Int32Array(${net.signals.length}), UN = new Int32Array(${net.signals.length}), UT = new Int32Array(${Math.max(1, this.tempCount)});`);
      for (const f of net.signals) if (this.initialShadow(f) !== KNOWN) L.push(`US[${f.id}] = ${this.initialShadow(f)};`);
      for (const m of net.memories) L.push(`const mu${m.id} = h.uninit.mems[${m.id}];`);
      L.push("const U = h.uninit;", ...clocks.map((c) => `let uc${c.id} = 0;`));
    }
    if (this.tempCount > 0) L.push(`let ${Array.from({ length: this.tempCount }, (_, i) => `t${i} = 0`).join(", ")};`);
    for (const m of net.memories) L.push(`const m${m.id} = h.mems[${m.id}];`);
    if (this.checkVars.length > 0) L.push("const V = h.verify;", `let ${this.checkVars.map((v) => `${v} = 0`).join(", ")};`);
    clocks.forEach((_, k) => L.push(`let p${k} = 0;`));
    if (act) L.push(`const D = new Uint8Array(${act.count}).fill(1), C = new Uint8Array(${Math.max(1, act.computeCount)});`);
    chunkedFunction(L, "comb", act ? act.blocks : this.comb);
    clocks.forEach((_, k) => {
      const g = byClock.get(k) ?? { compute: [], write: [], commit: [] };
      chunkedFunction(L, `compute${k}`, g.compute);
      chunkedFunction(L, `write${k}`, g.write);
      chunkedFunction(L, `commit${k}`, g.commit);
    });
    L.push("function settle() {", "  for (let i = 0; ; i++) {", "    comb();", "    let again = false;", ...this.asyncResets);
    clocks.forEach((c, k) => {
      const v = this.signalName(c);
      L.push(`    let r${k} = false;`, `    if (${v} !== p${k}) { p${k} = ${v}; r${k} = ${v} !== 0; }`);
    });
    if (clocks.length > 0) {
      L.push(`    if (${clocks.map((_, k) => `r${k}`).join(" || ")}) {`);
      clocks.forEach((_, k) => L.push(`      if (r${k}) compute${k}();`));
      clocks.forEach((_, k) => L.push(`      if (r${k}) write${k}();`));
      clocks.forEach((_, k) => L.push(`      if (r${k}) commit${k}();`));
      L.push("      again = true;", "    }");
    }
    L.push("    if (!again) return;", '    if (i > 10000) throw new Error("the design does not settle (its clocks or asynchronous resets keep changing)");', "  }", "}");

    const ports = net.top.module.ports;
    const portSignals = ports.map((p) => net.flat(net.top, p).id);
    const inputs = ports.filter((p) => p.kind === "input").map((p) => net.flat(net.top, p));
    const outputs = ports.filter((p) => p.kind === "output");
    // Back to the initial state, so that a finished instance can be used again (its code stays optimised).
    const clearShadows = this.u ? ["US.fill(0);", ...net.signals.filter((f) => this.initialShadow(f) !== KNOWN).map((f) => `US[${f.id}] = ${this.initialShadow(f)};`), ...clocks.map((c) => `uc${c.id} = 0;`)] : [];
    chunkedFunction(L, "clear", [[...net.signals.map((f) => `s${f.id} = ${zeroCode(f.width)};`), ...clocks.map((_, k) => `p${k} = 0;`), ...this.checkVars.map((v) => `${v} = 0;`), ...clearShadows, ...(act ? ["D.fill(1);", "C.fill(0);"] : [])]]);
    L.push("return {");
    L.push(`  set: [${inputs.map((f) => `(v) => { ${act ? act.assign(`s${f.id}`, "v", "") : `s${f.id} = v;`} }`).join(", ")}],`);
    L.push(`  get: [${net.signals.map((f) => `() => ${this.signalName(f)}`).join(", ")}],`);
    L.push(`  edge: [${clocks.map((_, k) => `() => { compute${k}(); write${k}(); commit${k}(); }`).join(", ")}],`);
    L.push("  settle,");
    L.push("  clear,");
    if (this.u) L.push(`  unknown: [${portSignals.map((_, i) => `() => ${uv(this.signalName(net.flat(net.top, ports[i]!)))}`).join(", ")}],`);
    L.push(`  sample: () => ({ ${outputs.map((p) => `${JSON.stringify(p.name)}: ${toUser(this.signalName(net.flat(net.top, p)), p.width, p.signed)}`).join(", ")} }),`);
    L.push("};");

    const vcd: VcdSignal[] = [];
    for (const s of net.scopes) {
      for (const sig of [...s.module.ports, ...s.module.signals]) {
        vcd.push({ path: [net.top.module.name, ...s.path], name: sig.name, width: sig.width, id: net.flat(s, sig).id });
      }
    }
    const uninit = this.table ? { uninit: { origins: this.table.origins, sinks: this.sinks, memoryBase: net.memories.map((m) => this.table!.memory(m)) } } : {};
    const source = act ? act.resolveMarks(L.join("\n")) : L.join("\n");
    return { source, portSignals, clocks, fastClock, memories: net.memories, vcd, ...uninit };
  }

  /** A register or read port starts unknown (its own origin); every other value known. */
  private initialShadow(f: FlatSignal): string {
    return f.kind === "reg" || f.kind === "memRead" ? String(this.table!.signal(f)) : KNOWN;
  }

  /** The shadow of an operand (`shadow.ts`). */
  private shadow(s: Scope, e: IrExpr): string {
    if (e.k === "lit") return KNOWN;
    if (e.k === "ref") return this.signalShadow(this.net.flat(s, e.signal));
    const t = this.temp(s, e);
    return this.inlinedU.get(t) ?? `UT[${t}]`;
  }

  /** The shadow of a top input is always known; of anything else, its variable. */
  private signalShadow(f: FlatSignal): string {
    return f.kind === "input" ? KNOWN : uv(this.signalName(f));
  }

  private projection(s: Scope, sig: IrSignal): Projection | undefined {
    let m = this.projections.get(s.module);
    if (!m) this.projections.set(s.module, (m = projectAll(s.module.body)));
    return m.get(sig);
  }

  private scopeLogic(s: Scope): void {
    const net = this.net;
    for (const sig of [...s.module.ports, ...s.module.signals]) {
      const f = net.flat(s, sig);
      if (f.scope !== s || f.signal !== sig) continue;
      if (f.kind === "comb") this.visitSignal(f);
      else if (f.kind === "reg") this.register(s, sig, f);
    }
    for (const mem of s.module.memories) this.memory(s, net.memories.find((m) => m.memory === mem && m.scope === s)!);
    for (const v of s.module.verification) this.verification(s, v);
  }

  /**
   * A verification statement (hdl/core/README.md#assertions): at each edge of its domain, outside
   * reset, with the values before the edge; `V.sink` reports it as the Verilog's `@A`/`@C` lines
   * and printf output do. `vc<u>` counts the domain's edges (the cycle the Verilog prints), per instance.
   */
  private verification(s: Scope, v: IrVerification): void {
    const d = this.net.domain(s, v.domain);
    for (const e of [v.cond, v.enable, ...v.args]) this.visitExpr(s, e);
    if (d.reset?.kind === "comb") this.visitSignal(d.reset);
    const i = v.index; // the statement's number in the design's table (one per module, shared by its instances)
    const u = this.checks.length; // this instance's statement: its own counters
    const count = `vc${u}`;
    this.checkVars.push(count);
    const path = JSON.stringify([this.net.top.module.name, ...s.path].join("."));
    const en = this.operand(s, v.enable).code;
    const cond = this.operand(s, v.cond).code;
    let act: string;
    if (v.k === "assert" || v.k === "assume") act = `if ((${en}) && !(${cond})) V.sink("A", ${i}, ${count}, ${path}, null, null);`;
    else if (v.k === "cover") {
      const hit = `vh${u}`;
      this.checkVars.push(hit);
      act = `if ((${en}) && (${cond}) && !${hit}) { ${hit} = 1; V.sink("C", ${i}, ${count}, ${path}, null, null); }`;
    } else {
      const args = v.args.map((a) => { const o = this.operand(s, a); return toUser(o.code, a.width, a.signed); });
      act = `if (${en}) V.sink("P", ${i}, ${count}, ${path}, [${args.join(", ")}], [${v.args.map((a) => a.width).join(", ")}]);`;
    }
    if (this.u && (v.k === "assert" || v.k === "assume")) act = this.checkedCondition(s, v, count) + act;
    const outOfReset = d.reset ? `${this.signalName(d.reset)} ${d.style.active === "high" ? "===" : "!=="} 0` : undefined;
    this.checks.push({ domain: d, lines: [outOfReset ? `  if (${outOfReset}) { ${act} }` : `  ${act}`, `  ${count}++;`] });
  }

  /** Reports an assert or assume whose enable, or condition while enabled, is unknown (before it is checked). */
  private checkedCondition(s: Scope, v: IrVerification, count: string): string {
    const ue = this.shadow(s, v.enable);
    const uc = this.shadow(s, v.cond);
    if (ue === KNOWN && uc === KNOWN) return "";
    const sink = this.sinks.push({ reader: `the ${v.k === "assert" ? "assertion" : "assumption"} at ${formatLoc(v.loc)} (in ${[this.net.top.module.name, ...s.path].join(".")})` }) - 1;
    const x = anyUnknown([ue, uc === KNOWN ? KNOWN : `((${this.operand(s, v.enable).code}) ? ${uc} : 0)`]);
    return `{ const x = ${x}; if (x !== 0) U.report(${sink}, x, ${count}); } `;
  }

  // ---- levelisation: a depth-first walk that writes each item after what it reads ----

  temp(s: Scope, e: IrOp): number {
    let m = this.temps.get(s);
    if (!m) this.temps.set(s, (m = new Map()));
    let t = m.get(e);
    if (t === undefined) m.set(e, (t = this.tempCount++));
    return t;
  }

  /** Writes `root` (an expression of scope `s`) and everything it depends on, dependencies first. */
  private visitExpr(s: Scope, root: IrExpr): void {
    if (root.k === "lit") return;
    if (root.k === "ref") {
      const f = this.net.flat(s, root.signal);
      this.readAsData.add(f.id);
      if (f.kind === "comb") this.visitSignal(f);
      return;
    }
    this.walk({ scope: s, op: root });
  }

  private visitSignal(f: FlatSignal): void {
    this.walk({ scope: f.scope, signal: f });
  }

  private walk(root: Item): void {
    if (this.done.has(keyOf(this, root))) return;
    const stack: { item: Item; key: string; deps: Item[]; i: number }[] = [];
    const visiting = new Set<string>();
    const enter = (item: Item): void => {
      const key = keyOf(this, item);
      if (this.done.has(key)) return;
      if (visiting.has(key)) throw new SimUsageError(`backend "js": a combinational loop runs through ${describeItem(item)}`);
      visiting.add(key);
      stack.push({ item, key, deps: this.deps(item), i: 0 });
    };
    enter(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.deps.length) {
        enter(top.deps[top.i++]!);
        continue;
      }
      stack.pop();
      visiting.delete(top.key);
      this.done.add(top.key);
      this.comb.push(this.itemCode(top.item));
    }
  }

  private deps(item: Item): Item[] {
    const out: Item[] = [];
    const add = (s: Scope, e: IrExpr): void => {
      if (e.k === "lit") return;
      if (e.k === "ref") {
        const f = this.net.flat(s, e.signal);
        this.readAsData.add(f.id);
        if (f.kind === "comb") out.push({ scope: f.scope, signal: f });
        return;
      }
      out.push({ scope: s, op: e });
    };
    if ("op" in item) {
      for (const a of item.op.args) add(item.scope, a);
    } else {
      const proj = this.projection(item.scope, item.signal.signal);
      if (proj) forEachRead(proj, (e) => add(item.scope, e));
    }
    return out;
  }

  private itemCode(item: Item): string[] {
    if ("op" in item) {
      const s = item.scope;
      const e = item.op;
      const args = e.args.map((a) => this.operand(s, a));
      const code = opCode(e, args, () => `m${this.memoryOf(s, e)}`);
      const t = this.temp(s, e);
      const shadow = this.u ? shadowOpCode(e, args, e.args.map((a) => this.shadow(s, a)), () => `mu${this.memoryOf(s, e)}`) : "";
      if (this.singleUse(s.module).has(e)) {
        const depth = 1 + Math.max(0, ...e.args.map((a) => (a.k === "op" ? (this.inlined.get(this.temp(s, a))?.depth ?? 0) : 0)));
        if (depth <= MAX_INLINE_DEPTH && shadow.length <= MAX_INLINE_SHADOW) {
          this.inlined.set(t, { code: `(${code})`, depth });
          if (this.u) this.inlinedU.set(t, shadow);
          return [];
        }
      }
      if (!this.u) return [`t${t} = ${code};`];
      const d = decided(e, args, e.args.map((a) => this.shadow(s, a)));
      const ut = `UT[${t}]`;
      return d ? [`t${t} = ${code};`, `${ut} = ${d.any};`, `if (${ut} !== 0 && (${d.fixes})) ${ut} = 0;`] : [`t${t} = ${code};`, `${ut} = ${shadow};`];
    }
    const f = item.signal;
    const proj = this.projection(f.scope, f.signal);
    if (!proj) return [];
    // A signal that is just another value under a new name reads that value's variable.
    if (proj.length === 1 && proj[0]!.k === "connect") {
      const v = proj[0].value;
      if (v.k !== "lit" && v.width === f.width) {
        const o = this.operand(f.scope, v);
        if (/^[st]\d+$/.test(o.code)) {
          this.alias.set(f.id, o.code);
          return [];
        }
      }
    }
    return this.statements(f.scope, proj, `s${f.id}`, f.width, "");
  }

  /** Operator nodes of a module read by exactly one other operator node and nothing else: written inline there. */
  private singleUse(m: Scope["module"]): Set<IrOp> {
    let set = this.single.get(m);
    if (set) return set;
    const uses = new Map<IrOp, number>();
    const seen = new Set<IrOp>();
    const pinned = new Set<IrOp>();
    const stack: IrOp[] = [];
    const root = (e: IrExpr | undefined): void => {
      if (e?.k !== "op") return;
      pinned.add(e);
      if (!seen.has(e)) {
        seen.add(e);
        stack.push(e);
      }
    };
    forEachRead(m.body, root);
    for (const sig of m.signals) root(sig.enable);
    for (const mem of m.memories) {
      for (const r of mem.readPorts) {
        root(r.addr);
        root(r.enable);
      }
      for (const w of mem.writePorts) [w.addr, w.data, w.enable].forEach(root);
    }
    while (stack.length > 0) {
      const e = stack.pop()!;
      for (const a of e.args) {
        if (a.k !== "op") continue;
        uses.set(a, (uses.get(a) ?? 0) + 1);
        if (!seen.has(a)) {
          seen.add(a);
          stack.push(a);
        }
      }
    }
    set = new Set([...uses].filter(([e, n]) => n === 1 && !pinned.has(e)).map(([e]) => e));
    this.single.set(m, set);
    return set;
  }

  private memoryOf(s: Scope, e: IrOp): number {
    return this.net.memories.find((m) => m.memory === e.memory && m.scope === s)!.id;
  }

  /** The JS of a statement tree assigning `target` (a variable of width `w`). */
  private statements(s: Scope, stmts: readonly IrStmt[], target: string, w: number, pad: string): string[] {
    const out: string[] = [];
    for (const st of stmts) {
      if (st.k === "connect") {
        out.push(`${pad}${target} = ${ext(this.operand(s, st.value), w)};`);
        if (this.u) out.push(`${pad}${uv(target)} = ${this.shadow(s, st.value)};`);
      } else {
        out.push(`${pad}if (${this.operand(s, st.cond).code}) {`);
        for (const l of this.statements(s, st.then, target, w, pad + "  ")) out.push(l);
        if (st.otherwise.length > 0) {
          out.push(`${pad}} else {`);
          for (const l of this.statements(s, st.otherwise, target, w, pad + "  ")) out.push(l);
        }
        out.push(`${pad}}`);
        // An unknown condition leaves the target unknown, whichever branch two-state logic took.
        const uc = this.u ? this.shadow(s, st.cond) : KNOWN;
        if (uc !== KNOWN) out.push(`${pad}${uv(target)} = ${uv(target)} || ${uc};`);
      }
    }
    return out;
  }

  private operand(s: Scope, e: IrExpr): Operand {
    if (e.k === "lit") return { code: literalCode(e.value, e.width), width: e.width, signed: e.signed };
    if (e.k === "ref") return { code: this.signalName(this.net.flat(s, e.signal)), width: e.width, signed: e.signed };
    const t = this.temp(s, e);
    return { code: this.inlined.get(t)?.code ?? `t${t}`, width: e.width, signed: e.signed };
  }

  /** The variable holding a flat signal's value (another signal's or a temporary's when it is an alias). */
  private signalName(f: FlatSignal): string {
    return this.alias.get(f.id) ?? `s${f.id}`;
  }

  // ---- state ----

  private register(s: Scope, sig: IrSignal, f: FlatSignal): void {
    const d = this.net.domain(s, sig.domain);
    const proj = this.projection(s, sig);
    const next = `n${f.id}`;
    if (proj) forEachRead(proj, (e) => this.visitExpr(s, e));
    if (sig.enable) this.visitExpr(s, sig.enable);
    let body = proj ? this.statements(s, proj, next, f.width, "    ") : [];
    if (sig.enable && body.length > 0) {
      body = [`  if (${this.operand(s, sig.enable).code}) {`, ...body, "  }"];
      const ue = this.u ? this.shadow(s, sig.enable) : KNOWN;
      if (ue !== KNOWN) body.push(`  ${uv(next)} = ${uv(next)} || ${ue};`);
    }
    const compute = [`  ${next} = s${f.id};`];
    if (this.u) compute.push(`  ${uv(next)} = US[${f.id}];`);
    if (sig.init !== undefined && d.reset) {
      if (d.reset.kind === "comb") this.visitSignal(d.reset);
      const active = `${this.signalName(d.reset)} ${d.style.active === "high" ? "!==" : "==="} 0`;
      const init = literalCode(sig.init, f.width);
      compute.push(this.u ? `  if (${active}) { ${next} = ${init}; ${uv(next)} = 0; }` : `  if (${active}) ${next} = ${init};`);
      if (body.length > 0) compute.push("  else {", ...body, "  }");
      const ur = this.u ? this.signalShadow(d.reset) : KNOWN;
      if (ur !== KNOWN) compute.push(`  ${uv(next)} = ${uv(next)} || ${ur};`);
      if (d.style.kind === "async") {
        this.asyncResets.push(this.u
          ? `    if (${active} && (s${f.id} !== ${init} || US[${f.id}] !== 0)) { s${f.id} = ${init}; US[${f.id}] = 0; again = true; }`
          : `    if (${active} && s${f.id} !== ${init}) { s${f.id} = ${init}; ${this.active ? `${markToken(`s${f.id}`)} ` : ""}again = true; }`);
      }
    } else compute.push(...body);
    this.state.push({ target: f, domain: d, compute, commit: this.u ? [`  s${f.id} = ${next};`, `  US[${f.id}] = ${uv(next)};`] : [`  s${f.id} = ${next};`] });
  }

  private memory(s: Scope, fm: FlatMemory): void {
    const mem = fm.memory;
    const bits = log2Ceil(mem.depth);
    for (const r of mem.readPorts) {
      if (r.kind !== "sync") continue;
      this.visitExpr(s, r.addr);
      if (r.enable) this.visitExpr(s, r.enable);
      const q = this.net.flat(s, r.data!);
      const addr = ext(this.operand(s, r.addr), bits);
      const read = this.u
        ? `{ n${q.id} = m${fm.id}[${addr}]; UN[${q.id}] = ${anyUnknown([this.shadow(s, r.addr), `mu${fm.id}[${addr}]`])}; }`
        : `n${q.id} = m${fm.id}[${addr}];`;
      const compute = [`  n${q.id} = s${q.id};`, r.enable ? `  if (${this.operand(s, r.enable).code}) ${read}` : `  ${read}`];
      if (this.u) {
        compute.splice(1, 0, `  UN[${q.id}] = US[${q.id}];`);
        const ue = r.enable ? this.shadow(s, r.enable) : KNOWN;
        if (ue !== KNOWN) compute.push(`  UN[${q.id}] = UN[${q.id}] || ${ue};`);
      }
      const commit = this.u ? [`  s${q.id} = n${q.id};`, `  US[${q.id}] = UN[${q.id}];`] : [`  s${q.id} = n${q.id};`];
      this.state.push({ target: q, domain: this.net.domain(s, r.domain), compute, commit });
    }
    if (mem.writePorts.length === 0) return;
    const lines: string[] = [];
    for (const p of mem.writePorts) {
      for (const e of [p.addr, p.data, p.enable]) this.visitExpr(s, e);
      const addr = ext(this.operand(s, p.addr), bits);
      let write = `m${fm.id}[${addr}] = ${ext(this.operand(s, p.data), mem.width)};`;
      const en = this.operand(s, p.enable);
      const ue = this.u ? this.shadow(s, p.enable) : KNOWN;
      if (this.u) write = `{ ${write} ${this.shadowWrite(s, fm, p, addr, ue)} }`;
      else if (this.active) write = `{ ${write} ${markToken(`m${fm.id}`)} }`;
      lines.push(en.code === "1" ? `  ${write}` : `  if (${en.code}) ${write}`);
      // An unknown enable may have written the word, or not.
      if (ue !== KNOWN) lines.push(`  if (${ue} !== 0) mu${fm.id}[${addr}] = mu${fm.id}[${addr}] || ${ue};`);
    }
    this.writes.push({ domain: this.net.domain(s, mem.writePorts[0]!.domain), lines });
  }

  /**
   * The shadow side of an enabled write: the word takes the data's shadow; an unknown address is
   * reported when the enable is known (Icarus ignores a write to an X address; two-state logic
   * writes the word it names, made unknown here).
   */
  private shadowWrite(s: Scope, fm: FlatMemory, p: IrWritePort, addr: string, ue: string): string {
    const ua = this.shadow(s, p.addr);
    const ud = this.shadow(s, p.data);
    const word = `mu${fm.id}[${addr}]`;
    if (ua === KNOWN) return `${word} = ${ud};`;
    const sink = this.sinks.push({ reader: `the write address of memory ${this.table!.name(s.path, fm.memory.name)} (${formatLoc(p.loc)})` }) - 1;
    const cycle = `uc${this.net.domain(s, p.domain).clock.id}`;
    const report = `U.report(${sink}, ${ua}, ${cycle});`;
    return `if (${ua} !== 0) { ${ue === KNOWN ? report : `if (${ue} === 0) ${report}`} ${word} = ${ua}; } else ${word} = ${ud};`;
  }
}

/** The shadow of variable `s<id>`, `n<id>` or `t<i>`: its place in the typed array US, UN or UT. */
function uv(name: string): string {
  return `U${name[0]!.toUpperCase()}[${name.slice(1)}]`;
}

/**
 * Writes function `name` running `blocks` in order, split into helper functions of about
 * CHUNK_LINES lines: V8 does not optimise very large functions.
 */
function chunkedFunction(L: string[], name: string, blocks: readonly (readonly string[])[]): void {
  const parts: string[][] = [];
  let cur: string[] = [];
  for (const b of blocks) {
    for (const l of b) cur.push(l);
    if (cur.length >= CHUNK_LINES) {
      parts.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0) parts.push(cur);
  if (parts.length === 1) {
    L.push(`function ${name}() {`, ...parts[0]!, "}");
    return;
  }
  parts.forEach((body, i) => L.push(`function ${name}_${i}() {`, ...body, "}"));
  L.push(`function ${name}() { ${parts.map((_, i) => `${name}_${i}();`).join(" ")} }`);
}

type Item = { readonly scope: Scope; readonly op: IrOp } | { readonly scope: Scope; readonly signal: FlatSignal };

function keyOf(g: Generator, item: Item): string {
  return "op" in item ? `o${g.temp(item.scope, item.op)}` : `s${item.signal.id}`;
}

function describeItem(item: Item): string {
  const where = item.scope.path.length > 0 ? ` in ${item.scope.path.join(".")}` : "";
  return "op" in item ? `an expression at ${item.op.loc.file}:${item.op.loc.line}${where}` : `signal ${item.signal.signal.name}${where}`;
}
