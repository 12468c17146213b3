/**
 * The Verilog-2005 emitter: reads the checked, named IR and prints one module
 * per generated module. Every operand is extended explicitly to the width of
 * its operator, so no Verilog context-width rule ever changes a result, and
 * Verilator's width lint has nothing to say.
 */
import { createHash } from "node:crypto";
import { isImplicitPort } from "./clock";
import type { IrDesign, IrExpr, IrLit, IrMemory, IrModule, IrOp, IrSignal, IrStmt } from "./ir";
import type { Namer } from "./names";
import { projectAll, singleConnect, type Projection } from "./project";
import { formatLoc } from "./source";
import { log2Ceil } from "./types";

const IND = "  ";

/** Operators whose Verilog form needs no parentheses as an operand (concatenations, selects, casts). */
const ATOMIC = new Set<IrOp["op"]>(["cat", "slice", "shl", "shr", "zext", "sext", "asUInt", "asSInt", "memRead"]);

function range(width: number): string {
  return width === 1 ? "" : `[${width - 1}:0] `;
}

function declType(kind: "wire" | "reg", width: number, signed: boolean): string {
  return `${kind} ${signed ? "signed " : ""}${range(width)}`;
}

export function literal(value: bigint, width: number, signed: boolean): string {
  const mask = (1n << BigInt(width)) - 1n;
  if (!signed) return width === 1 ? `1'b${value & 1n}` : `${width}'d${value & mask}`;
  const min = -(1n << BigInt(width - 1));
  if (value === min) return `${width}'sh${(value & mask).toString(16)}`;
  // Parenthesised so that no operator before it can merge with the sign (`~-`, `--`).
  return value < 0n ? `(-${width}'sd${-value})` : `${width}'sd${value}`;
}

function isIdentifier(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(s);
}

/** Bits of each signal and wire that are read, to waive Verilator's unused-bit lint precisely. */
class Usage {
  private readonly full = new Set<string>();
  private readonly partial = new Map<string, boolean[]>();

  use(name: string, width: number, lo = 0, hi = width - 1): void {
    if (lo === 0 && hi === width - 1) {
      this.full.add(name);
      return;
    }
    let bits = this.partial.get(name);
    if (!bits) this.partial.set(name, (bits = new Array<boolean>(width).fill(false)));
    for (let i = lo; i <= hi; i++) bits[i] = true;
  }

  fullyUsed(name: string): boolean {
    return this.full.has(name) || (this.partial.get(name)?.every((b) => b) ?? false);
  }
}

interface Temp {
  readonly name: string;
  readonly node: IrOp;
  readonly text: string;
}

/** The generator parameters for the module header: verbatim when short, else a digest. */
function paramsComment(params: string): string {
  if (params === "" || params === "null") return "";
  if (params.length <= MAX_PARAMS_COMMENT) return `, parameters ${params}`;
  return `, parameters sha256:${createHash("sha256").update(params).digest("hex").slice(0, 16)} (${params.length} characters of JSON)`;
}

const MAX_PARAMS_COMMENT = 200;

class ModuleEmitter {
  private readonly temps: Temp[] = [];
  private readonly uses = new Map<IrOp, number>();
  private readonly named = new Map<IrOp, string>();
  private readonly usage = new Usage();
  private readonly projections: Map<IrSignal, Projection>;
  private readonly alwaysDriven = new Set<IrSignal>();

  constructor(private readonly m: IrModule, private readonly namer: Namer) {
    this.projections = projectAll(m.body);
    for (const [s, proj] of this.projections) if (s.kind !== "reg" && singleConnect(proj) === undefined) this.alwaysDriven.add(s);
  }

  /** Counts how often each operator node is used, so shared nodes become one wire. */
  private count(e: IrExpr): void {
    const stack = [e];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x.k !== "op") continue;
      const n = (this.uses.get(x) ?? 0) + 1;
      this.uses.set(x, n);
      if (n === 1) stack.push(...x.args);
    }
  }

  private countAll(): void {
    const walk = (stmts: readonly IrStmt[]): void => {
      for (const s of stmts) {
        if (s.k === "connect") this.count(s.value);
        else {
          this.count(s.cond);
          walk(s.then);
          walk(s.otherwise);
        }
      }
    };
    walk(this.m.body);
    for (const s of this.m.signals) if (s.enable) this.count(s.enable);
    for (const mem of this.m.memories) {
      for (const r of mem.readPorts) {
        this.count(r.addr);
        if (r.enable) this.count(r.enable);
      }
      for (const w of mem.writePorts) [w.addr, w.data, w.enable].forEach((e) => this.count(e));
    }
  }

  /** An expression usable as an operand: an identifier, literal, concatenation or parenthesised operation. */
  private expr(e: IrExpr): string {
    const whole = this.wholeName(e);
    if (whole !== undefined) {
      this.usage.use(whole, e.width);
      return whole;
    }
    if (e.k !== "op") return literal((e as IrLit).value, e.width, e.signed);
    const text = this.render(e);
    return ATOMIC.has(e.op) || /^[\w$']+$/.test(text) ? text : `(${text})`;
  }

  /** `e` extended to `width`, as the whole right-hand side of an assignment (no outer parentheses). */
  private rhs(e: IrExpr, width: number): string {
    if (e.k === "op" && e.width === width && !this.named.has(e) && e.hint === undefined && (this.uses.get(e) ?? 0) <= 1 && e.op !== "memRead") {
      return this.render(e);
    }
    return this.ext(e, width);
  }

  /** The name `e` is emitted under (a signal, or an operator node given a wire of its own), declaring the wire if needed. */
  private wholeName(e: IrExpr): string | undefined {
    if (e.k === "ref") return e.signal.name;
    if (e.k === "lit") return undefined;
    const named = this.named.get(e);
    if (named) return named;
    if (e.hint !== undefined || (this.uses.get(e) ?? 0) > 1 || e.op === "memRead") return this.temp(e);
    return undefined;
  }

  /** Declares `e` as a wire of its own and returns the wire's name. */
  private temp(e: IrOp): string {
    const text = this.render(e);
    const existing = this.named.get(e);
    if (existing) return existing;
    const hint = e.hint ?? (e.op === "memRead" ? `${e.memory!.name}_rd` : "_T");
    const name = this.namer.claim(hint);
    this.named.set(e, name);
    this.temps.push({ name, node: e, text });
    return name;
  }

  /** An identifier for `e` (declaring a wire if needed), for bit selects. */
  private ident(e: IrExpr): string {
    if (e.k === "lit") return this.expr(e);
    return this.wholeName(e) ?? this.temp(e as IrOp);
  }

  /** `e` extended to `width` by its signedness. */
  private ext(e: IrExpr, width: number): string {
    return this.extend(e, width, e.signed, e.signed);
  }

  /** `e` extended to `width` with sign or zero fill; the result is typed signed or unsigned as asked. */
  private extend(e: IrExpr, width: number, signFill: boolean, signedResult: boolean): string {
    if (e.k === "lit") {
      const b = e.value & ((1n << BigInt(e.width)) - 1n);
      const filled = signFill && (b >> BigInt(e.width - 1)) & 1n ? b - (1n << BigInt(e.width)) : b;
      const v = signedResult ? filled : filled & ((1n << BigInt(width)) - 1n);
      return literal(v, width, signedResult);
    }
    const k = width - e.width;
    let text: string;
    if (k === 0) text = this.expr(e);
    else if (!signFill) text = `{${k}'b0, ${this.expr(e)}}`;
    else {
      const id = this.ident(e);
      this.usage.use(id, e.width);
      const msb = e.width === 1 ? id : `${id}[${e.width - 1}]`;
      text = `{${k === 1 ? msb : `{${k}{${msb}}}`}, ${id}}`;
    }
    if (k === 0 && e.signed === signedResult) return text;
    return signedResult ? `$signed(${text})` : k === 0 ? `$unsigned(${text})` : text;
  }

  private render(e: IrOp): string {
    const [a, b, c] = e.args;
    const w = e.width;
    const bin = (op: string): string => `${this.ext(a!, w)} ${op} ${this.ext(b!, w)}`;
    const cmp = (op: string): string => {
      const cw = Math.max(a!.width, b!.width);
      return `${this.ext(a!, cw)} ${op} ${this.ext(b!, cw)}`;
    };
    switch (e.op) {
      case "add": return bin("+");
      case "sub": return bin("-");
      case "mul": return bin("*");
      case "and": return bin("&");
      case "or": return bin("|");
      case "xor": return bin("^");
      case "not": return `~${this.expr(a!)}`;
      case "neg": return `-${this.ext(a!, w)}`;
      case "eq": return cmp("==");
      case "neq": return cmp("!=");
      case "lt": return cmp("<");
      case "le": return cmp("<=");
      case "gt": return cmp(">");
      case "ge": return cmp(">=");
      case "andr": return `&${this.expr(a!)}`;
      case "orr": return `|${this.expr(a!)}`;
      case "xorr": return `^${this.expr(a!)}`;
      case "mux": return `${this.expr(a!)} ? ${this.ext(b!, w)} : ${this.ext(c!, w)}`;
      case "cat": return `{${e.args.map((x) => this.expr(x)).join(", ")}}`;
      case "zext": return this.extend(a!, w, false, e.signed);
      case "sext": return this.extend(a!, w, true, e.signed);
      case "asUInt": return `$unsigned(${this.expr(a!)})`;
      case "asSInt": return `$signed(${this.expr(a!)})`;
      case "slice": return this.slice(a!, e.params[0]!, e.params[1]!);
      case "shl": {
        const n = e.params[0]!;
        return n === 0 ? this.expr(a!) : `{${this.expr(a!)}, ${n}'b0}`;
      }
      case "shr": return this.shiftRight(a!, e.params[0]!, w);
      case "dshl": return `${this.ext(a!, w)} << ${this.expr(b!)}`;
      case "dshr": return `${this.expr(a!)} ${e.signed ? ">>>" : ">>"} ${this.expr(b!)}`;
      case "memRead": {
        const mem = e.memory!;
        return `${mem.name}[${this.ext(a!, log2Ceil(mem.depth))}]`;
      }
    }
  }

  private slice(a: IrExpr, hi: number, lo: number): string {
    if (a.k === "lit") return literal((a.value >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n), hi - lo + 1, false);
    const id = this.ident(a);
    this.usage.use(id, a.width, lo, hi);
    if (a.width === 1) return a.signed ? `$unsigned(${id})` : id;
    return hi === lo ? `${id}[${hi}]` : `${id}[${hi}:${lo}]`;
  }

  private shiftRight(a: IrExpr, n: number, w: number): string {
    if (n === 0) return this.expr(a);
    // Shifting out every bit leaves zero, or the sign bit for SInt.
    const lo = Math.min(n, a.width - 1);
    if (n >= a.width && !a.signed) return literal(0n, w, false);
    const bits = this.slice(a, a.width - 1, lo);
    return a.signed ? `$signed(${bits})` : bits;
  }

  private statements(stmts: readonly IrStmt[], assignOp: "=" | "<=", target: IrSignal, depth: number): string[] {
    const pad = IND.repeat(depth);
    const out: string[] = [];
    for (const s of stmts) {
      if (s.k === "connect") {
        out.push(`${pad}${target.name} ${assignOp} ${this.rhs(s.value, target.width)};`);
        continue;
      }
      out.push(...this.ifChain(s, assignOp, target, depth));
    }
    return out;
  }

  private ifChain(s: IrStmt & { k: "when" }, assignOp: "=" | "<=", target: IrSignal, depth: number): string[] {
    const pad = IND.repeat(depth);
    if (s.then.length === 0) {
      // Nothing happens when the condition holds: branch on its negation instead of leaving an empty block.
      return [`${pad}if (!${this.expr(s.cond)}) begin`, ...this.statements(s.otherwise, assignOp, target, depth + 1), `${pad}end`];
    }
    const out = [`${pad}if (${this.rhs(s.cond, 1)}) begin`, ...this.statements(s.then, assignOp, target, depth + 1)];
    let rest = s.otherwise;
    while (rest.length === 1 && rest[0]!.k === "when" && rest[0].then.length > 0) {
      const w = rest[0];
      out.push(`${pad}end else if (${this.rhs(w.cond, 1)}) begin`, ...this.statements(w.then, assignOp, target, depth + 1));
      rest = w.otherwise;
    }
    if (rest.length > 0) out.push(`${pad}end else begin`, ...this.statements(rest, assignOp, target, depth + 1));
    out.push(`${pad}end`);
    return out;
  }

  private combinational(s: IrSignal, proj: Projection): string[] {
    const single = singleConnect(proj);
    if (single !== undefined) return [`${IND}assign ${s.name} = ${this.rhs(single, s.width)};`];
    return [`${IND}always @(*) begin`, ...this.statements(proj, "=", s, 2), `${IND}end`];
  }

  private register(s: IrSignal, proj: Projection | undefined): string[] {
    let body = proj ? this.statements(proj, "<=", s, 0) : [];
    if (s.enable && body.length > 0) body = [`if (${this.rhs(s.enable, 1)}) begin`, ...body.map((l) => IND + l), "end"];
    const lines = ["always @(posedge clock) begin"];
    if (s.init !== undefined) {
      lines.push(`${IND}if (reset) begin`, `${IND}${IND}${s.name} <= ${literal(s.init, s.width, s.signed)};`);
      if (body.length > 0) lines.push(`${IND}end else begin`, ...body.map((l) => IND + IND + l));
      lines.push(`${IND}end`);
    } else lines.push(...body.map((l) => IND + l));
    lines.push("end");
    return lines.map((l) => IND + l);
  }

  private memory(mem: IrMemory): string[] {
    const lines: string[] = [];
    const addrBits = log2Ceil(mem.depth);
    if (mem.initFile !== undefined) lines.push(`${IND}initial $readmemh(${JSON.stringify(mem.initFile)}, ${mem.name});`);
    else if (mem.initPlusarg !== undefined) {
      // the file name comes from the simulator's command line: +NAME=FILE (simulation only)
      const file = `${mem.name}_file`;
      lines.push(`${IND}// synthesis translate_off`);
      lines.push(`${IND}reg [8*1024-1:0] ${file};`);
      lines.push(`${IND}initial if ($value$plusargs(${JSON.stringify(`${mem.initPlusarg}=%s`)}, ${file})) $readmemh(${file}, ${mem.name});`);
      lines.push(`${IND}// synthesis translate_on`);
    }
    else if (mem.init) {
      lines.push(`${IND}initial begin`);
      for (let i = 0; i < mem.depth; i++) lines.push(`${IND}${IND}${mem.name}[${i}] = ${literal(mem.init[i] ?? 0n, mem.width, mem.signed)};`);
      lines.push(`${IND}end`);
    }
    for (const w of mem.writePorts) {
      const always = w.enable.k === "lit" && w.enable.value === 1n;
      const write = `${mem.name}[${this.ext(w.addr, addrBits)}] <= ${this.ext(w.data, mem.width)};`;
      lines.push(`${IND}always @(posedge clock) begin // ${formatLoc(w.loc)}`);
      lines.push(always ? `${IND}${IND}${write}` : `${IND}${IND}if (${this.rhs(w.enable, 1)}) ${write}`);
      lines.push(`${IND}end`);
    }
    for (const r of mem.readPorts) {
      if (r.kind !== "sync") continue;
      const read = `${r.data!.name} <= ${mem.name}[${this.ext(r.addr, addrBits)}];`;
      lines.push(`${IND}always @(posedge clock) begin // ${formatLoc(r.loc)}`);
      lines.push(r.enable ? `${IND}${IND}if (${this.rhs(r.enable, 1)}) ${read}` : `${IND}${IND}${read}`);
      lines.push(`${IND}end`);
    }
    return lines;
  }

  private instance(inst: IrModule["instances"][number]): string[] {
    const child = inst.of;
    const conns: string[] = [];
    for (const p of child.ports) {
      const parentSide = isImplicitPort(p) ? p.name : inst.ports.get(p)!.name;
      conns.push(`${IND}${IND}.${p.name}(${parentSide})`);
    }
    const params = child.blackbox ? Object.entries(child.blackbox.parameters) : [];
    const paramText = params.length > 0 ? ` #(${params.map(([k, v]) => `.${k}(${typeof v === "string" ? JSON.stringify(v) : v})`).join(", ")})` : "";
    const modName = child.blackbox ? child.blackbox.moduleName : child.name;
    return [`${IND}${modName}${paramText} ${inst.name} ( // ${formatLoc(inst.loc)}`, conns.join(",\n"), `${IND});`];
  }

  emit(): string {
    const m = this.m;
    this.countAll();
    const logic: string[] = [];
    for (const inst of m.instances) {
      logic.push(...this.instance(inst));
      for (const s of inst.ports.values()) if (s.kind === "instIn") this.usage.use(s.name, s.width);
    }
    for (const s of [...m.ports, ...m.signals]) {
      const proj = this.projections.get(s);
      if (s.kind === "reg") logic.push(...this.register(s, proj));
      else if (proj && s.kind !== "input") logic.push(...this.combinational(s, proj));
    }
    for (const mem of m.memories) logic.push(...this.memory(mem));
    const header = this.header();
    const decls = this.declarations();
    const lines = [...header, ...decls, ...this.tempDeclarations(), ...(logic.length > 0 ? [""] : []), ...logic, "endmodule", ""];
    return lines.join("\n");
  }

  private waived(s: IrSignal): boolean {
    return s.kind !== "output" && s.kind !== "instIn" && !isImplicitPort(s) && !this.usage.fullyUsed(s.name);
  }

  /** Wraps a declaration whose bits are not all read in a Verilator waiver (the Verilog stays valid for every tool). */
  private withWaiver(waive: boolean, line: string): string {
    return waive ? `${IND}/* verilator lint_off UNUSEDSIGNAL */\n${line}\n${IND}/* verilator lint_on UNUSEDSIGNAL */` : line;
  }

  private tempDeclarations(): string[] {
    return this.temps.map(({ name, node, text }) => {
      const where = node.hint !== undefined ? ` // ${formatLoc(node.loc)}` : "";
      return this.withWaiver(!this.usage.fullyUsed(name), `${IND}${declType("wire", node.width, node.signed)}${name} = ${text};${where}`);
    });
  }

  private comment(s: IrSignal): string {
    const variants = s.enumVariants ? ` (${s.enumVariants.map((v, i) => `${v}=${i}`).join(", ")})` : "";
    return isImplicitPort(s) ? "" : ` // ${formatLoc(s.loc)}${variants}`;
  }

  private header(): string[] {
    const m = this.m;
    const lines = [`// ${m.name}: generated from ${formatLoc(m.loc)}${paramsComment(m.params)}`];
    if (m.ports.length === 0) return [...lines, `module ${m.name};`];
    lines.push(`module ${m.name} (`);
    m.ports.forEach((p, i) => {
      const kind = p.kind === "output" && this.alwaysDriven.has(p) ? "reg" : "wire";
      const sep = i < m.ports.length - 1 ? "," : "";
      const line = `${IND}${p.kind} ${declType(kind, p.width, p.signed)}${p.name}${sep}${this.comment(p)}`;
      lines.push(this.withWaiver(this.waived(p), line));
    });
    lines.push(");");
    return lines;
  }

  private declarations(): string[] {
    const out: string[] = [];
    for (const s of this.m.signals) {
      const kind = s.kind === "reg" || s.kind === "memRead" || this.alwaysDriven.has(s) ? "reg" : "wire";
      out.push(this.withWaiver(this.waived(s), `${IND}${declType(kind, s.width, s.signed)}${s.name};${this.comment(s)}`));
    }
    for (const mem of this.m.memories) {
      const attr = mem.style ? `(* ram_style = "${mem.style}" *) ` : "";
      out.push(`${IND}${attr}reg ${mem.signed ? "signed " : ""}${range(mem.width)}${mem.name} [0:${mem.depth - 1}]; // ${formatLoc(mem.loc)}`);
    }
    return out;
  }
}

/** Verilog for a whole design: children before parents, the top last. */
export function emitVerilog(design: IrDesign, namers: Map<IrModule, Namer>): string {
  // One file holds the whole hierarchy, so module names cannot all match the file name.
  const parts: string[] = design.modules.length > 1 ? ["/* verilator lint_off DECLFILENAME */\n"] : [];
  const verbatim = new Set<string>();
  for (const m of design.modules) {
    if (m.blackbox) {
      if (m.blackbox.verilog !== undefined && !verbatim.has(m.blackbox.verilog)) {
        verbatim.add(m.blackbox.verilog);
        parts.push(m.blackbox.verilog.endsWith("\n") ? m.blackbox.verilog : `${m.blackbox.verilog}\n`);
      }
      continue;
    }
    parts.push(new ModuleEmitter(m, namers.get(m)!).emit());
  }
  return parts.join("\n");
}

