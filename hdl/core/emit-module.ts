/**
 * Verilog of one generated module from its checked, named IR: header, declarations, instances,
 * continuous assignments and always blocks. Expressions are written by `ExprWriter`, memories
 * by `emit-memory.ts`. Statement trees are written without recursion.
 */
import { implicitPortOf, implicitRole, isImplicitPort } from "./clock.js";
import { ExprWriter } from "./emit-expr.js";
import { memoryDeclaration, memoryLogic, prepareMemory, type DataFiles } from "./emit-memory.js";
import { countVerification, prepareVerification, verificationLogic } from "./emit-verify.js";
import type { IrDomain, IrInstance, IrModule, IrSignal, IrStmt, IrWhen, ResetStyle } from "./ir.js";
import type { Namer } from "./names.js";
import { projectAll, singleConnect, type Projection } from "./project.js";
import { formatLoc } from "./source.js";
import { forEachStatement } from "./walk.js";
import { IND, declType, literal } from "./verilog-text.js";
import { createHash } from "node:crypto";

const MAX_PARAMS_COMMENT = 200;

/** The generator parameters for the module header: verbatim when short, else a digest. */
function paramsComment(params: string): string {
  if (params === "" || params === "null") return "";
  if (params.length <= MAX_PARAMS_COMMENT) return `, parameters ${params}`;
  return `, parameters sha256:${createHash("sha256").update(params).digest("hex").slice(0, 16)} (${params.length} characters of JSON)`;
}

/** Indentation stops growing here, so a `when` nested thousands deep does not make the file quadratic in size. */
const MAX_INDENT = 40;

/** Work items of the statement writer: a statement at an indentation depth, or a finished line. */
type Item = { readonly s: IrStmt; readonly depth: number } | string;

export class ModuleEmitter {
  private readonly w: ExprWriter;
  private readonly projections: Map<IrSignal, Projection>;
  private readonly alwaysDriven = new Set<IrSignal>();

  constructor(
    private readonly m: IrModule,
    private readonly namer: Namer,
    private readonly files: DataFiles,
  ) {
    this.w = new ExprWriter(namer);
    this.projections = projectAll(m.body);
    for (const [s, proj] of this.projections) if (s.kind !== "reg" && singleConnect(proj) === undefined) this.alwaysDriven.add(s);
  }

  /** Names of the implicit clock and reset ("clock", "reset" unless a user port took them). */
  private get clock(): string {
    return implicitPortOf(this.m, "clock")?.name ?? "clock";
  }

  private get reset(): string {
    return implicitPortOf(this.m, "reset")?.name ?? "reset";
  }

  emit(): string {
    const m = this.m;
    this.countAll();
    this.prepareAll();
    const logic: string[] = [];
    for (const inst of m.instances) {
      logic.push(...this.instance(inst));
      for (const s of inst.ports.values()) if (s.kind === "instIn") this.w.useSignal(s);
    }
    for (const s of [...m.ports, ...m.signals]) {
      const proj = this.projections.get(s);
      if (s.kind === "reg") appendAll(logic, this.register(s, proj));
      else if (proj && s.kind !== "input") appendAll(logic, this.combinational(s, proj));
    }
    for (const mem of m.memories) appendAll(logic, memoryLogic(mem, this.w, this.namer, this.files, (d) => this.domainOf(d).clock));
    appendAll(logic, verificationLogic(m, this.w, this.namer, (d) => {
      const { clock, reset, style } = this.domainOf(d);
      return { clock, reset, activeLow: style.active === "low" };
    }));
    const lines = this.header();
    appendAll(lines, this.declarations());
    appendAll(lines, this.tempDeclarations());
    if (logic.length > 0) lines.push("");
    appendAll(lines, logic);
    lines.push("endmodule", "");
    return lines.join("\n");
  }

  // ---- expressions: counted, then prepared in the order they are written ----

  private countAll(): void {
    const w = this.w;
    forEachStatement(this.m.body, (s) => w.count(s.k === "connect" ? s.value : s.cond));
    for (const s of this.m.signals) if (s.enable) w.count(s.enable);
    for (const mem of this.m.memories) {
      for (const r of mem.readPorts) {
        w.count(r.addr);
        if (r.enable) w.count(r.enable);
      }
      for (const p of mem.writePorts) [p.addr, p.data, p.enable].forEach((e) => w.count(e));
    }
    countVerification(this.m, w);
  }

  /** Declares every wire of the module in the order `emit` writes the expressions (which fixes temporary names). */
  private prepareAll(): void {
    for (const s of [...this.m.ports, ...this.m.signals]) {
      const proj = this.projections.get(s);
      if (s.kind === "reg") {
        if (proj) this.prepareStatements(proj, s);
        if (s.enable && proj && proj.length > 0) this.w.prepareRhs(s.enable, 1);
      } else if (proj && s.kind !== "input") {
        const single = singleConnect(proj);
        if (single !== undefined) this.w.prepareRhs(single, s.width);
        else this.prepareStatements(proj, s);
      }
    }
    for (const mem of this.m.memories) prepareMemory(mem, this.w);
    prepareVerification(this.m, this.w);
  }

  private prepareStatements(stmts: readonly IrStmt[], target: IrSignal): void {
    forEachStatement(stmts, (s) => {
      if (s.k === "connect") this.w.prepareRhs(s.value, target.width);
      else this.w.prepareExpr(s.cond);
    });
  }

  // ---- statements ----

  /** The lines of `stmts` assigning `target`, indented `depth` levels. */
  private statements(stmts: readonly IrStmt[], assignOp: "=" | "<=", target: IrSignal, depth: number): string[] {
    const out: string[] = [];
    const todo: Item[] = [];
    const pushBlock = (block: readonly IrStmt[], d: number): void => {
      for (let i = block.length - 1; i >= 0; i--) todo.push({ s: block[i]!, depth: d });
    };
    pushBlock(stmts, depth);
    while (todo.length > 0) {
      const item = todo.pop()!;
      if (typeof item === "string") {
        out.push(item);
        continue;
      }
      const { s, depth: d } = item;
      const pad = IND.repeat(Math.min(d, MAX_INDENT));
      if (s.k === "connect") out.push(`${pad}${target.name} ${assignOp} ${this.w.rhs(s.value, target.width)};`);
      else {
        // Pushed in reverse: the last item written comes first onto the stack.
        const parts = this.ifChain(s, d);
        for (let i = parts.length - 1; i >= 0; i--) {
          const p = parts[i]!;
          if (typeof p === "string") todo.push(p);
          else pushBlock(p, d + 1);
        }
      }
    }
    return out;
  }

  /** An if / else if / else chain: its lines, with the blocks to write between them. */
  private ifChain(s: IrWhen, depth: number): (string | readonly IrStmt[])[] {
    const pad = IND.repeat(Math.min(depth, MAX_INDENT));
    if (s.then.length === 0) {
      // Nothing happens when the condition holds: branch on its negation instead of leaving an empty block.
      return [`${pad}if (!${this.w.expr(s.cond)}) begin`, s.otherwise, `${pad}end`];
    }
    if (depth >= MAX_INDENT) {
      // Past the indentation limit, a `when` holding only another `when` becomes one `if (a && b)`:
      // Verilog parsers give up on ifs nested a few thousand deep.
      const conds = [s.cond];
      let inner = s;
      while (inner.otherwise.length === 0 && inner.then.length === 1 && inner.then[0]!.k === "when" && inner.then[0].otherwise.length === 0 && inner.then[0].then.length > 0) {
        inner = inner.then[0];
        conds.push(inner.cond);
      }
      if (inner !== s) return [`${pad}if (${conds.map((c) => this.w.expr(c)).join(" && ")}) begin`, inner.then, `${pad}end`];
    }
    const parts: (string | readonly IrStmt[])[] = [`${pad}if (${this.w.rhs(s.cond, 1)}) begin`, s.then];
    let rest = s.otherwise;
    while (rest.length === 1 && rest[0]!.k === "when" && rest[0].then.length > 0) {
      const w = rest[0];
      parts.push(`${pad}end else if (${this.w.rhs(w.cond, 1)}) begin`, w.then);
      rest = w.otherwise;
    }
    if (rest.length > 0) parts.push(`${pad}end else begin`, rest);
    parts.push(`${pad}end`);
    return parts;
  }

  private combinational(s: IrSignal, proj: Projection): string[] {
    const single = singleConnect(proj);
    if (single !== undefined) return [`${IND}assign ${s.name} = ${this.w.rhs(single, s.width)};`];
    return [`${IND}always @(*) begin`, ...this.statements(proj, "=", s, 2), `${IND}end`];
  }

  /** The clock, reset and reset style of a domain (absent: the module's implicit ones). */
  private domainOf(d: IrDomain | undefined): { clock: string; reset: string; style: ResetStyle } {
    if (!d) return { clock: this.clock, reset: this.reset, style: this.m.resetStyle };
    // the domain's clock and reset are read by the always blocks (usage tracking for lint waivers)
    this.w.useSignal(d.clock);
    if (d.reset) this.w.useSignal(d.reset);
    return { clock: d.clock.name, reset: d.reset?.name ?? "", style: d.style };
  }

  private register(s: IrSignal, proj: Projection | undefined): string[] {
    let body = proj ? this.statements(proj, "<=", s, 0) : [];
    if (s.enable && body.length > 0) body = [`if (${this.w.rhs(s.enable, 1)}) begin`, ...body.map((l) => IND + l), "end"];
    const { clock, reset, style } = this.domainOf(s.domain);
    const asyncReset = style.kind === "async" && s.init !== undefined;
    const edge = `posedge ${clock}${asyncReset ? ` or ${style.active === "high" ? "posedge" : "negedge"} ${reset}` : ""}`;
    const lines = [`always @(${edge}) begin`];
    if (s.init !== undefined) {
      lines.push(`${IND}if (${style.active === "high" ? reset : `!${reset}`}) begin`, `${IND}${IND}${s.name} <= ${literal(s.init, s.width, s.signed)};`);
      if (body.length > 0) {
        lines.push(`${IND}end else begin`);
        for (const l of body) lines.push(IND + IND + l);
      }
      lines.push(`${IND}end`);
    } else for (const l of body) lines.push(IND + l);
    lines.push("end");
    return lines.map((l) => IND + l);
  }

  private instance(inst: IrInstance): string[] {
    const child = inst.of;
    const conns: string[] = [];
    for (const p of child.ports) {
      const role = implicitRole(p);
      const domain = inst.domain;
      const implicit = (r: "clock" | "reset"): string => (domain ? (r === "clock" ? this.domainOf(domain).clock : this.domainOf(domain).reset) : implicitPortOf(this.m, r)!.name);
      const parentSide = role !== undefined ? implicit(role) : inst.ports.get(p)!.name;
      conns.push(`${IND}${IND}.${p.name}(${parentSide})`);
    }
    const params = child.blackbox ? Object.entries(child.blackbox.parameters) : [];
    const paramText = params.length > 0 ? ` #(${params.map(([k, v]) => `.${k}(${typeof v === "string" ? JSON.stringify(v) : v})`).join(", ")})` : "";
    const modName = child.blackbox ? child.blackbox.moduleName : child.name;
    return [`${IND}${modName}${paramText} ${inst.name} ( // ${formatLoc(inst.loc)}`, conns.join(",\n"), `${IND});`];
  }

  // ---- declarations ----

  private waived(s: IrSignal): boolean {
    return s.kind !== "output" && s.kind !== "instIn" && !isImplicitPort(s) && !this.w.usage.fullyUsed(s.name);
  }

  /** Wraps a declaration whose bits are not all read in a Verilator waiver (the Verilog stays valid for every tool). */
  private withWaiver(waive: boolean, line: string): string {
    return waive ? `${IND}/* verilator lint_off UNUSEDSIGNAL */\n${line}\n${IND}/* verilator lint_on UNUSEDSIGNAL */` : line;
  }

  private tempDeclarations(): string[] {
    return this.w.temps.map(({ name, node, text }) => {
      const where = node.hint !== undefined ? ` // ${formatLoc(node.loc)}` : "";
      return this.withWaiver(!this.w.usage.fullyUsed(name), `${IND}${declType("wire", node.width, node.signed)}${name} = ${text};${where}`);
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
    for (const mem of this.m.memories) appendAll(out, memoryDeclaration(mem));
    return out;
  }
}

/** `target.push(...items)` without spreading (a spread of a large array overflows the call stack). */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const x of items) target.push(x);
}
