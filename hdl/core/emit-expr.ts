/**
 * Verilog text of IR expressions, for one module. Every operand is extended explicitly to the
 * width of its operator, so no Verilog context-width rule ever changes a result. An operator
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

/** How a parent renders one operand: as an operand, extended to a width, as a whole right-hand side, or as an identifier. */
type Context = { readonly k: "expr" } | { readonly k: "ext"; readonly w: number } | { readonly k: "rhs"; readonly w: number } | { readonly k: "ident" };

const EXPR: Context = { k: "expr" };
const IDENT: Context = { k: "ident" };

/** One node being prepared: its operands still to visit, and the inline depth below it. */
interface Frame {
  readonly node: IrOp;
  readonly named: boolean;
  readonly operands: readonly (readonly [IrExpr, Context])[];
  i: number;
  depth: number;
}

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

  /** Declares, children first and in rendering order, every wire that rendering `root` in `ctx` will need. */
  prepare(root: IrExpr, ctx: Context): void {
    const stack: Frame[] = [];
    const enter = (e: IrExpr, c: Context): number => {
      if (e.k !== "op") return 0;
      const mode = this.modeOf(e, c);
      if (mode === "done") return 0;
      if (mode === "inline" && this.depthOf.has(e)) return this.depthOf.get(e)!;
      stack.push({ node: e, named: mode === "named", operands: operandsOf(e), i: 0, depth: 0 });
      return -1;
    };
    enter(root, ctx);
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      if (f.i < f.operands.length) {
        const [e, c] = f.operands[f.i++]!;
        const d = enter(e, c);
        if (d > f.depth) f.depth = d;
        continue;
      }
      stack.pop();
      let depth = 0;
      if (f.named || f.depth + 1 > MAX_INLINE_DEPTH) this.temp(f.node);
      else {
        depth = f.depth + 1;
        this.depthOf.set(f.node, depth);
      }
      const parent = stack[stack.length - 1];
      if (parent && depth > parent.depth) parent.depth = depth;
    }
  }

  /** What rendering `e` in context `c` does: use an existing wire, declare one, or write it inline. */
  private modeOf(e: IrOp, c: Context): "done" | "named" | "inline" {
    if (this.named.has(e)) return "done";
    const wants = e.hint !== undefined || (this.uses.get(e) ?? 0) > 1 || e.op === "memRead";
    switch (c.k) {
      case "rhs":
        return !wants && e.width === c.w ? "inline" : this.modeOf(e, extContext(e, c.w));
      case "ext":
        return this.modeOf(e, extContext(e, c.w));
      case "ident":
        return "named";
      case "expr":
        return wants ? "named" : "inline";
    }
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
}

/** The context `ext(e, w)` renders `e` in: as an operand, or as an identifier when it needs sign fill. */
function extContext(e: IrExpr, w: number): Context {
  return w > e.width && e.signed ? IDENT : EXPR;
}

/** The operands `render(e)` visits, in its order, each with the context it renders them in. */
function operandsOf(e: IrOp): readonly (readonly [IrExpr, Context])[] {
  const [a, b, c] = e.args;
  const w = e.width;
  const ext = (x: IrExpr, width: number): readonly [IrExpr, Context] => [x, { k: "ext", w: width }];
  switch (e.op) {
    case "add": case "sub": case "mul": case "and": case "or": case "xor":
      return [ext(a!, w), ext(b!, w)];
    case "eq": case "neq": case "lt": case "le": case "gt": case "ge": {
      const cw = Math.max(a!.width, b!.width);
      return [ext(a!, cw), ext(b!, cw)];
    }
    case "neg": return [ext(a!, w)];
    case "not": case "andr": case "orr": case "xorr": case "asUInt": case "asSInt": case "shl":
      return [[a!, EXPR]];
    case "mux": return [[a!, EXPR], ext(b!, w), ext(c!, w)];
    case "cat": return e.args.map((x) => [x, EXPR] as const);
    case "zext": return [[a!, EXPR]];
    case "sext": return [[a!, IDENT]];
    case "slice": return [[a!, IDENT]];
    case "shr": {
      const n = e.params[0]!;
      if (n === 0) return [[a!, EXPR]];
      return n >= a!.width && !a!.signed ? [] : [[a!, IDENT]];
    }
    case "dshl": return [ext(a!, w), [b!, EXPR]];
    case "dshr": return [[a!, EXPR], [b!, EXPR]];
    case "memRead": return [ext(a!, log2Ceil(e.memory!.depth))];
  }
}
