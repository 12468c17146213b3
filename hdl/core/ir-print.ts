/**
 * A stable text form of the IR, without source locations: what tests of the builder compare
 * against, the way golden Verilog tests the emitter. One line per declaration and statement,
 * nested statements indented; expressions as `op:type(args)` with literals as `value:type`
 * (`u8` unsigned 8 bits, `s4` signed 4 bits). Signals print under their final names, so print
 * an elaborated design (`elaborate(...).ir`). Nothing here recurses.
 */
import { implicitRole } from "./clock.js";
import type { IrDesign, IrExpr, IrMemory, IrModule, IrSignal, IrStmt, IrVerification } from "./ir.js";

const IND = "  ";

function type(width: number, signed: boolean): string {
  return `${signed ? "s" : "u"}${width}`;
}

/** `e` as text; shared nodes print in full wherever they are used. */
export function printExpr(e: IrExpr): string {
  const text = new Map<IrExpr, string>();
  const stack: { e: IrExpr; expanded: boolean }[] = [{ e, expanded: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const x = top.e;
    if (text.has(x)) {
      stack.pop();
      continue;
    }
    if (x.k === "ref") text.set(x, x.signal.name);
    else if (x.k === "lit") text.set(x, `${x.value}:${type(x.width, x.signed)}`);
    else if (!top.expanded) {
      top.expanded = true;
      for (const a of x.args) if (!text.has(a)) stack.push({ e: a, expanded: false });
      continue;
    } else {
      const params = x.params.length > 0 ? `[${x.params.join(", ")}]` : "";
      const args = [...(x.memory ? [x.memory.name] : []), ...x.args.map((a) => text.get(a)!)];
      text.set(x, `${x.op}${params}:${type(x.width, x.signed)}(${args.join(", ")})`);
    }
    stack.pop();
  }
  return text.get(e)!;
}

function signalLine(s: IrSignal): string {
  const role = implicitRole(s);
  const extra = [
    role ? `implicit ${role}` : undefined,
    s.init !== undefined ? `init ${s.init}` : undefined,
    s.enable ? `enable ${printExpr(s.enable)}` : undefined,
    s.instance ? `port ${s.childPort!.name} of ${s.instance.name}` : undefined,
    s.enumVariants ? `enum ${s.enumVariants.join("|")}` : undefined,
  ].filter((x) => x !== undefined);
  return `${s.kind} ${s.name}: ${type(s.width, s.signed)}${extra.length > 0 ? ` (${extra.join(", ")})` : ""}`;
}

function memoryLines(m: IrMemory): string[] {
  const init = m.init ? `, init ${m.init.length} words${m.initAsFile ? " as file" : ""}` : m.initFile ? `, init file ${m.initFile}` : m.initPlusarg ? `, init +${m.initPlusarg}` : "";
  const lines = [`memory ${m.name}: ${m.depth} x ${type(m.width, m.signed)}${init}${m.style ? `, style ${m.style}` : ""}`];
  for (const r of m.readPorts) {
    const en = r.enable ? ` when ${printExpr(r.enable)}` : "";
    lines.push(`${IND}read ${r.kind}${r.data ? ` ${r.data.name} <=` : ""} ${m.name}[${printExpr(r.addr)}]${en}`);
  }
  for (const w of m.writePorts) lines.push(`${IND}write ${m.name}[${printExpr(w.addr)}] <= ${printExpr(w.data)} when ${printExpr(w.enable)}`);
  return lines;
}

/** The statements of a block, indented `depth` levels. */
function statementLines(body: readonly IrStmt[], depth: number): string[] {
  const out: string[] = [];
  const todo: ({ s: IrStmt; d: number } | string)[] = [];
  const push = (block: readonly IrStmt[], d: number): void => {
    for (let i = block.length - 1; i >= 0; i--) todo.push({ s: block[i]!, d });
  };
  push(body, depth);
  while (todo.length > 0) {
    const item = todo.pop()!;
    if (typeof item === "string") {
      out.push(item);
      continue;
    }
    const pad = IND.repeat(item.d);
    const s = item.s;
    if (s.k === "connect") {
      out.push(`${pad}${s.target.name} := ${printExpr(s.value)}`);
      continue;
    }
    out.push(`${pad}when ${printExpr(s.cond)}`);
    if (s.otherwise.length > 0) {
      push(s.otherwise, item.d + 1);
      todo.push(`${pad}else`);
    }
    push(s.then, item.d + 1);
  }
  return out;
}

function verificationLine(v: IrVerification): string {
  const when = v.enable.k === "lit" && v.enable.value === 1n ? "" : ` when ${printExpr(v.enable)}`;
  const what = v.k === "printf" ? [JSON.stringify(v.message), ...v.args.map(printExpr)].join(", ") : `${printExpr(v.cond)}, ${JSON.stringify(v.message)}`;
  return `${v.k} ${what}${when}${v.domain ? ` (domain ${v.domain.name})` : ""}`;
}

/** One module: header, ports, signals, memories, instances, then the body. */
export function printModule(m: IrModule): string {
  const lines = [`module ${m.name}${m.params !== "" && m.params !== "null" ? ` ${m.params}` : ""}${m.blackbox ? " (blackbox)" : ""}`];
  for (const p of m.ports) lines.push(IND + signalLine(p));
  for (const s of m.signals) lines.push(IND + signalLine(s));
  for (const mem of m.memories) for (const l of memoryLines(mem)) lines.push(IND + l);
  for (const inst of m.instances) lines.push(`${IND}instance ${inst.name}: ${inst.of.name}`);
  for (const v of m.verification) lines.push(IND + verificationLine(v));
  if (m.body.length > 0) {
    lines.push(`${IND}body`);
    for (const l of statementLines(m.body, 2)) lines.push(l);
  }
  return lines.join("\n") + "\n";
}

/** Every module of the design, children before parents. */
export function printIr(design: IrDesign): string {
  return design.modules.map(printModule).join("\n");
}
