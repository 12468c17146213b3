/**
 * Signal: a hardware value of a ground type, and the operators on it.
 * Width rules (also in the README):
 *   add, sub        max(wa, wb) + 1         (widening: never overflows)
 *   addWrap, subWrap max(wa, wb)            (wrapping, like Verilog's +)
 *   mul             wa + wb
 *   and, or, xor    max(wa, wb); not keeps the width
 *   neg             w + 1, signed
 *   shl(n)          w + n; shr(n) max(w - n, 1) (arithmetic for SInt)
 *   shl(s)          w + 2^ws - 1 (dynamic); shr(s) keeps w
 *   eq ... ge, andR, orR, xorR    1 (Bool)
 *   bits(hi, lo)    hi - lo + 1, unsigned; cat: sum of widths, unsigned
 *   mux(c, a, b)    max(wa, wb)
 *   zext/sext/pad(w) widen only; trunc(w) narrow only; resize(w) either
 *   asUInt, asSInt  same width, reinterpreted
 * Operands of one operator must agree in signedness; number and bigint
 * literals take the signedness of the other operand and the minimal width.
 */
import { HdlError } from "./errors.js";
import type { IrExpr, IrModule, IrOp, OpKind } from "./ir.js";
import { makeLit, minimalLit, toBigInt, type Literal } from "./literal.js";
import { nameAt } from "./naming.js";
import { userLocation } from "./source.js";
import { Bool, SInt, UInt, typeName, type EnumType, type GroundType } from "./types.js";

export type Operand = Signal | Literal;

/** Above this, dynamic left shifts would build absurdly wide values. */
const MAX_DYNAMIC_SHIFT_WIDTH = 4096;

export class Signal {
  constructor(
    readonly expr: IrExpr,
    readonly type: GroundType,
    /** The module this value belongs to (undefined for constants). */
    readonly owner: IrModule | undefined,
  ) {}

  get width(): number {
    return this.type.width;
  }

  get signed(): boolean {
    return this.type.kind === "sint";
  }

  /** Names this value in the Verilog (it becomes a named wire). */
  named(name: string): this {
    if (this.expr.k === "op") this.expr.hint = name;
    return this;
  }

  add(o: Operand): Signal { return binary("add", this, o, widening); }
  sub(o: Operand): Signal { return binary("sub", this, o, widening); }
  addWrap(o: Operand): Signal { return binary("add", this, o, Math.max); }
  subWrap(o: Operand): Signal { return binary("sub", this, o, Math.max); }
  mul(o: Operand): Signal { return binary("mul", this, o, product); }
  and(o: Operand): Signal { return binary("and", this, o, Math.max); }
  or(o: Operand): Signal { return binary("or", this, o, Math.max); }
  xor(o: Operand): Signal { return binary("xor", this, o, Math.max); }
  eq(o: Operand): Signal { return compare("eq", this, o); }
  neq(o: Operand): Signal { return compare("neq", this, o); }
  lt(o: Operand): Signal { return compare("lt", this, o); }
  le(o: Operand): Signal { return compare("le", this, o); }
  gt(o: Operand): Signal { return compare("gt", this, o); }
  ge(o: Operand): Signal { return compare("ge", this, o); }

  not(): Signal { return op("not", [this], [], this.type); }
  neg(): Signal { return op("neg", [this], [], SInt(this.width + 1)); }
  andR(): Signal { return op("andr", [this], [], Bool()); }
  orR(): Signal { return op("orr", [this], [], Bool()); }
  xorR(): Signal { return op("xorr", [this], [], Bool()); }

  /** Left shift by a constant (widens by `n`) or by a signal (widens by 2^width - 1). */
  shl(n: number | Signal): Signal {
    if (typeof n === "number") return op("shl", [this], [checkAmount(n)], retype(this.type, this.width + n));
    checkUnsignedAmount(n);
    const width = this.width + 2 ** n.width - 1;
    if (width > MAX_DYNAMIC_SHIFT_WIDTH) {
      throw new HdlError(userLocation(), `dynamic shift by a ${n.width}-bit amount would be ${width} bits wide: truncate the amount first`);
    }
    return op("dshl", [this, n], [], retype(this.type, width));
  }

  /** Right shift (arithmetic for SInt) by a constant (narrows) or by a signal (keeps the width). */
  shr(n: number | Signal): Signal {
    if (typeof n === "number") return op("shr", [this], [checkAmount(n)], retype(this.type, Math.max(this.width - n, 1)));
    checkUnsignedAmount(n);
    return op("dshr", [this, n], [], this.type);
  }

  /** Bits hi down to lo, as UInt. */
  bits(hi: number, lo: number): Signal {
    if (!Number.isInteger(hi) || !Number.isInteger(lo) || lo < 0 || hi < lo || hi >= this.width) {
      throw new HdlError(userLocation(), `bits(${hi}, ${lo}) is out of range for ${typeName(this.type)}`);
    }
    return op("slice", [this], [hi, lo], UInt(hi - lo + 1));
  }

  /** One bit, as Bool. */
  bit(i: number): Signal {
    return this.bits(i, i).asBool();
  }

  /** The most significant bit. */
  msb(): Signal {
    return this.bit(this.width - 1);
  }

  zext(width: number): Signal { return this.extend(width, "zext"); }
  sext(width: number): Signal { return this.extend(width, "sext"); }
  /** Extends to `width` by the signal's own signedness. */
  pad(width: number): Signal { return this.extend(width, this.signed ? "sext" : "zext"); }

  /** Keeps the low `width` bits (signedness unchanged). */
  trunc(width: number): Signal {
    if (!Number.isInteger(width) || width < 1 || width > this.width) {
      throw new HdlError(userLocation(), `trunc(${width}) cannot narrow ${typeName(this.type)}: the width must be 1..${this.width}`);
    }
    if (width === this.width) return this;
    const low = op("slice", [this], [width - 1, 0], UInt(width));
    return this.signed ? low.asSInt() : low;
  }

  /** Truncates or extends (by signedness) to exactly `width`. */
  resize(width: number): Signal {
    return width <= this.width ? this.trunc(width) : this.pad(width);
  }

  asUInt(): Signal { return this.signed ? op("asUInt", [this], [], UInt(this.width)) : this; }
  asSInt(): Signal { return this.signed ? this : op("asSInt", [this], [], SInt(this.width)); }

  asBool(): Signal {
    if (this.width !== 1) throw new HdlError(userLocation(), `asBool() needs a 1-bit value, got ${typeName(this.type)}`);
    if (this.type.kind === "uint" && this.type.bool) return this;
    return this.signed ? op("asUInt", [this], [], Bool()) : new Signal(this.expr, Bool(), this.owner);
  }

  private extend(width: number, kind: "zext" | "sext"): Signal {
    if (!Number.isInteger(width) || width < this.width) {
      throw new HdlError(userLocation(), `${kind}(${width}) cannot widen ${typeName(this.type)}: use trunc() to narrow`);
    }
    if (width === this.width) return this;
    return op(kind, [this], [], retype(this.type, width));
  }
}

/** Result widths of the widening operators. */
function widening(a: number, b: number): number {
  return Math.max(a, b) + 1;
}

function product(a: number, b: number): number {
  return a + b;
}

function retype(t: GroundType, width: number): GroundType {
  return t.kind === "sint" ? SInt(width) : UInt(width);
}

function checkAmount(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new HdlError(userLocation(), `shift amount must be a non-negative integer, got ${n}`);
  return n;
}

function checkUnsignedAmount(n: Signal): void {
  if (n.signed) throw new HdlError(userLocation(), `shift amount must be unsigned, got ${typeName(n.type)}`);
}

/** Converts an operand to a Signal, typing literals after `like`. */
export function toSignal(o: Operand, like?: Signal): Signal {
  if (o instanceof Signal) return o;
  return literal(o, like?.signed ?? toBigInt(o) < 0n);
}

/** A literal of the given signedness in its minimal width. */
export function literal(v: Literal, signed: boolean): Signal {
  const lit = minimalLit(v, signed);
  return new Signal(lit, signed ? SInt(lit.width) : UInt(lit.width), undefined);
}

/** A constant of a given type. */
export function constant(value: Literal, type: GroundType): Signal {
  return new Signal(makeLit(toBigInt(value), type.width, type.kind === "sint"), type, undefined);
}

function ownerOf(args: readonly Signal[]): IrModule | undefined {
  let owner: IrModule | undefined;
  for (const a of args) {
    if (!a.owner) continue;
    if (owner && a.owner !== owner) {
      throw new HdlError(userLocation(), `an operator mixes signals of module ${owner.name} and module ${a.owner.name}: pass values through ports`);
    }
    owner = a.owner;
  }
  return owner;
}

/** Records an operator node. */
export function op(kind: OpKind, args: readonly Signal[], params: readonly number[], type: GroundType): Signal {
  const loc = userLocation();
  const exprs: IrExpr[] = new Array<IrExpr>(args.length);
  for (let i = 0; i < args.length; i++) exprs[i] = args[i]!.expr;
  const node: IrOp = {
    k: "op",
    op: kind,
    args: exprs,
    params,
    width: type.width,
    signed: type.kind === "sint",
    loc,
    hint: nameAt(loc),
  };
  return new Signal(node, type, ownerOf(args));
}

function sameSignedness(kind: string, a: Signal, b: Signal): void {
  if (a.signed !== b.signed) {
    throw new HdlError(
      userLocation(),
      `${kind}: cannot mix ${typeName(a.type)} and ${typeName(b.type)}: convert one with .asSInt() or .asUInt()`,
    );
  }
}

function binary(kind: OpKind, a: Signal, o: Operand, width: (wa: number, wb: number) => number): Signal {
  const b = toSignal(o, a);
  sameSignedness(kind, a, b);
  return op(kind, [a, b], [], retype(a.type, width(a.width, b.width)));
}

function compare(kind: OpKind, a: Signal, o: Operand): Signal {
  const b = toSignal(o, a);
  sameSignedness(kind, a, b);
  return op(kind, [a, b], [], Bool());
}

/** Concatenation, first argument in the most significant bits. */
export function cat(...parts: Signal[]): Signal {
  if (parts.length === 0) throw new HdlError(userLocation(), "cat() needs at least one signal");
  parts.forEach((p, i) => requireSignal(p, `cat() argument ${i + 1}`));
  if (parts.length === 1) return parts[0]!.asUInt();
  return op("cat", parts, [], UInt(parts.reduce((w, p) => w + p.width, 0)));
}

/** A literal has no width of its own where one is needed: ask for a signal or a typed constant. */
function requireSignal(x: unknown, what: string): asserts x is Signal {
  if (x instanceof Signal) return;
  const hint = typeof x === "number" || typeof x === "bigint" || typeof x === "boolean" ? `: give it a width with constant(${String(x)}, UInt(w))` : "";
  throw new HdlError(userLocation(), `${what} must be a signal, got ${typeof x === "bigint" ? `${x}n` : JSON.stringify(x) ?? String(x)}${hint}`);
}

/** `n` copies of `x` side by side. */
export function replicate(x: Signal, n: number): Signal {
  requireSignal(x, "replicate() value");
  if (!Number.isInteger(n) || n < 1) throw new HdlError(userLocation(), `replicate needs a positive count, got ${n}`);
  return cat(...Array.from({ length: n }, () => x));
}

/** `cond ? a : b`; the result has the wider width of the two. */
export function mux(cond: Operand, a: Operand, b: Operand): Signal {
  const c = toSignal(cond);
  if (c.width !== 1) throw new HdlError(userLocation(), `mux condition must be 1 bit wide, got ${typeName(c.type)}`);
  const sa = a instanceof Signal ? a : b instanceof Signal ? toSignal(a, b) : toSignal(a);
  const sb = toSignal(b, sa);
  sameSignedness("mux", sa, sb);
  const type = sa.type.kind === "uint" && sa.type.bool && sa.width >= sb.width ? sa.type : retype(sa.type, Math.max(sa.width, sb.width));
  return op("mux", [c, sa, sb], [], type);
}

/** The constant encoding `variant` of an enum. */
export function enumValue<V extends string>(e: EnumType<V>, variant: V): Signal {
  return constant(e.code(variant), e.type);
}
