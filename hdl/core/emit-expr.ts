/**
 * Verilog text of IR expressions, for one module, with the meaning hdl/core/README.md gives them
 * ("IR semantics"; the JS simulator in sim/js/ implements the same rules on the IR itself).
 * Every operand is extended explicitly to the width of its operator, so no Verilog
 * context-width rule ever changes a result, and every expression is typed signed exactly when
 * the IR types it signed. An operator
 * node becomes a wire of its own when it is named, used twice, needs an identifier (bit
 * selects, sign fill) or would nest too deep inline. `prepare` declares those wires children
 * first with an explicit stack, so that rendering never recurses through them: any depth of
 * expression costs heap, not call stack.
 */
import type { IrExpr, IrLit, IrOp, IrSignal } from "./ir.js";
import type { Namer } from "./names.js";
import { log2Ceil } from "./types.js";
import { literal } from "./verilog-text.js";

/** Operators whose Verilog form needs no parentheses as an operand (concatenations, selects, casts). */
const ATOMIC = new Set<IrOp["op"]>(["cat", "slice", "shl", "shr", "zext", "sext", "asUInt", "asSInt", "memRead"]);

/** Deepest chain of unnamed operators written inline; deeper ones get a wire at this depth. */
const MAX_INLINE_DEPTH = 64;

type Mode = 0 | 1 | 2;
const DONE: Mode = 0;
const NAMED: Mode = 1;
const INLINE: Mode = 2;

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

export interface Temp {
  readonly name: string;
  readonly node: IrOp;
  readonly text: string;
}

/**
 * How a parent renders one operand, as a number (no allocation per operand): EXPR as an
 * operand, IDENT as an identifier, w > 0 extended to w bits, -(w + 1) as a whole right-hand
 * side of width w.
 */
type Context = number;
const EXPR = 0;
const IDENT = -1;
const rhsContext = (w: number): Context => -(w + 1);

export class ExprWriter {
  readonly temps: Temp[] = [];
  readonly usage = new Usage();
  private readonly uses = new Map<IrOp, number>();
  private readonly named = new Map<IrOp, string>();
  /** Inline depth of prepared unnamed nodes. */
  private readonly depthOf = new Map<IrOp, number>();

  constructor(private readonly namer: Namer) {}

  /** Counts how often each operator node is used, so shared nodes become one wire. */
  count(e: IrExpr): void {
    const stack = [e];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x.k !== "op") continue;
      const n = (this.uses.get(x) ?? 0) + 1;
      this.uses.set(x, n);
      if (n === 1) for (const a of x.args) stack.push(a);
    }
  }

  /** Declares the wires rendering `e` as a right-hand side of width `w` will need (see `prepare`). */
  prepareRhs(e: IrExpr, w: number): void {
    this.prepare(e, rhsContext(w));
  }

  /** ... as an operand extended to `w` bits. */
  prepareExt(e: IrExpr, w: number): void {
    this.prepare(e, w);
  }

  /** ... as an identifier (an operator node gets a wire of its own width). */
  prepareIdent(e: IrExpr): void {
    this.prepare(e, IDENT);
  }

  /** ... as an operand. */
  prepareExpr(e: IrExpr): void {
    this.prepare(e, EXPR);
  }

  /** Declares, children first and in rendering order, every wire that rendering `root` in `ctx` will need. */
  private prepare(root: IrExpr, ctx: Context): void {
    // The stack of nodes being prepared, in parallel arrays: node, gets a wire, next operand, inline depth below.
    const nodes: IrOp[] = [];
    const named: boolean[] = [];
    const next: number[] = [];
    const depth: number[] = [];
    const enter = (e: IrExpr, c: Context): number => {
      if (e.k !== "op") return 0;
      const mode = this.modeOf(e, c);
      if (mode === DONE) return 0;
      if (mode === INLINE) {
        const d = this.depthOf.get(e);
        if (d !== undefined) return d;
      }
      nodes.push(e);
      named.push(mode === NAMED);
      next.push(0);
      depth.push(0);
      return -1;
    };
    enter(root, ctx);
    while (nodes.length > 0) {
      const top = nodes.length - 1;
      const node = nodes[top]!;
      const i = next[top]!;
      if (i < operandCount(node)) {
        next[top] = i + 1;
        const d = enter(node.args[i]!, operandContext(node, i));
        if (d > depth[top]!) depth[top] = d;
        continue;
      }
      const below = depth[top]!;
      const isNamed = named[top]!;
      nodes.pop();
      named.pop();
      next.pop();
      depth.pop();
      let d = 0;
      if (isNamed || below + 1 > MAX_INLINE_DEPTH) this.temp(node);
      else {
        d = below + 1;
        this.depthOf.set(node, d);
      }
      if (nodes.length > 0 && d > depth[nodes.length - 1]!) depth[nodes.length - 1] = d;
    }
  }

  /** What rendering `e` in context `c` does: use an existing wire, declare one, or write it inline. */
  private modeOf(e: IrOp, c: Context): Mode {
    if (this.named.has(e)) return DONE;
    const wants = e.hint !== undefined || (this.uses.get(e) ?? 0) > 1 || e.op === "memRead";
    if (c === IDENT) return NAMED;
    if (c === EXPR) return wants ? NAMED : INLINE;
    if (c < 0 && !wants && e.width === -c - 1) return INLINE; // a whole right-hand side of its own width
    const w = c < 0 ? -c - 1 : c;
    // Extended to w: sign fill needs an identifier, anything else renders as an operand.
    if (w > e.width && e.signed) return NAMED;
    return wants ? NAMED : INLINE;
  }

  /** An expression usable as an operand: an identifier, literal, concatenation or parenthesised operation. */
  expr(e: IrExpr): string {
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
  rhs(e: IrExpr, width: number): string {
    if (e.k === "op" && e.width === width && !this.named.has(e) && e.hint === undefined && (this.uses.get(e) ?? 0) <= 1 && e.op !== "memRead") {
      return this.render(e);
    }
    return this.ext(e, width);
  }

  /** `e` extended to `width` by its signedness. */
  ext(e: IrExpr, width: number): string {
    return this.extend(e, width, e.signed, e.signed);
  }

  /** The name of a signal read whole (for usage tracking of ports and declarations). */
  useSignal(s: IrSignal): void {
    this.usage.use(s.name, s.width);
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
    const existing = this.named.get(e);
    if (existing) return existing;
    const text = this.render(e);
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

  /** `a op b`, both operands extended to `width`. */
  private binary(a: IrExpr, op: string, b: IrExpr, width: number): string {
    return `${this.ext(a, width)} ${op} ${this.ext(b, width)}`;
  }

  private render(e: IrOp): string {
    const [a, b, c] = e.args;
    const w = e.width;
    const cw = b === undefined ? 0 : Math.max(a!.width, b.width);
    switch (e.op) {
      case "add": return this.binary(a!, "+", b!, w);
      case "sub": return this.binary(a!, "-", b!, w);
      case "mul": return this.binary(a!, "*", b!, w);
      case "and": return this.binary(a!, "&", b!, w);
      case "or": return this.binary(a!, "|", b!, w);
      case "xor": return this.binary(a!, "^", b!, w);
      case "not": return `~${this.expr(a!)}`;
      // typed as the IR types it (signed), also when the operand is unsigned: `-{1'b0, x}` alone would be unsigned in Verilog
      case "neg": return `-${this.extend(a!, w, a!.signed, e.signed)}`;
      case "eq": return this.binary(a!, "==", b!, cw);
      case "neq": return this.binary(a!, "!=", b!, cw);
      case "lt": return this.binary(a!, "<", b!, cw);
      case "le": return this.binary(a!, "<=", b!, cw);
      case "gt": return this.binary(a!, ">", b!, cw);
      case "ge": return this.binary(a!, ">=", b!, cw);
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
        if (n === 0) return this.expr(a!);
        // a concatenation is unsigned in Verilog: a signed shift is typed back to signed
        return e.signed ? `$signed({${this.expr(a!)}, ${n}'b0})` : `{${this.expr(a!)}, ${n}'b0}`;
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
}

/** How many operands `render(e)` visits (all its arguments, but none for a right shift that leaves a constant). */
function operandCount(e: IrOp): number {
  if (e.op === "shr") {
    const n = e.params[0]!;
    const a = e.args[0]!;
    if (n !== 0 && n >= a.width && !a.signed) return 0;
  }
  return e.args.length;
}

/** The context `render(e)` renders operand `i` in (mirrors `render`). */
function operandContext(e: IrOp, i: number): Context {
  switch (e.op) {
    case "add": case "sub": case "mul": case "and": case "or": case "xor": case "neg":
      return e.width;
    case "eq": case "neq": case "lt": case "le": case "gt": case "ge":
      return Math.max(e.args[0]!.width, e.args[1]!.width);
    case "mux": return i === 0 ? EXPR : e.width;
    case "dshl": return i === 0 ? e.width : EXPR;
    case "sext": case "slice": return IDENT;
    case "shr": return e.params[0] === 0 ? EXPR : IDENT;
    // an index is an identifier: Icarus evaluates an index expression wider than its own width
    // (m[a - b] with a < b reads out of range instead of wrapping), so arithmetic gets a wire
    case "memRead": return IDENT;
    default: return EXPR; // not andr orr xorr asUInt asSInt shl cat zext dshr
  }
}
