/**
 * Wires, registers and ports of any type. Aggregates (bundles, vectors) are
 * built from ground signals named `name_field` and `name_index`.
 */
import { ensureClock, ensureReset } from "./clock.js";
import { currentContext } from "./context.js";
import { HdlError } from "./errors.js";
import type { SignalKind } from "./ir.js";
import { fits, toBigInt, type Literal } from "./literal.js";
import { nameAt } from "./naming.js";
import { Signal, mux, toSignal, type Operand } from "./signal.js";
import { userLocation, type SourceLoc } from "./source.js";
import { fieldOf, isGround, typeName, type BundleType, type Flip, type GroundType, type HdlType, type VecType } from "./types.js";
import { Var, newSignal, type SignalOptions } from "./var.js";
import { when } from "./when.js";
import { tagBundle } from "./bundle-tag.js";

/** The type inside a `Flipped(...)` field. */
export type Unflip<F> = F extends Flip<infer T> ? T : F;

/** The TypeScript value of a hardware type: a Var, a record of values, or a VecValue. */
export type Value<T extends HdlType> = T extends GroundType
  ? Var
  : T extends BundleType<infer F>
    ? { readonly [K in keyof F]: Value<Unflip<F[K]> & HdlType> }
    : T extends VecType<infer E>
      ? VecValue<E>
      : never;

/** A vector value: fixed elements, indexed by a number or (for ground elements) by a signal. */
export class VecValue<E extends HdlType> implements Iterable<Value<E>> {
  constructor(
    readonly elements: readonly Value<E>[],
    readonly elemType: E,
  ) {}

  get length(): number {
    return this.elements.length;
  }

  [Symbol.iterator](): Iterator<Value<E>> {
    return this.elements[Symbol.iterator]();
  }

  /** Element `i`; with a signal index, a value that reads through a mux and writes under `when(index == k)`. */
  at(i: number): Value<E>;
  at(i: Signal): VecSlot;
  at(i: number | Signal): Value<E> | VecSlot {
    if (typeof i === "number") {
      const e = this.elements[i];
      if (!Number.isInteger(i) || e === undefined) {
        throw new HdlError(userLocation(), `index ${i} is out of range for a Vec of ${this.length}`);
      }
      return e;
    }
    if (!isGround(this.elemType)) {
      throw new HdlError(userLocation(), `dynamic indexing needs a Vec of ground elements, got ${typeName(this.elemType)}`);
    }
    return new VecSlot(this.elements as unknown as readonly Var[], i);
  }
}

/** A Vec element chosen by a signal index. */
export class VecSlot extends Signal {
  constructor(
    private readonly elements: readonly Var[],
    private readonly index: Signal,
  ) {
    const read = elements.reduceRight<Signal | undefined>(
      (acc, e, k) => (acc === undefined ? e : mux(index.eq(k), e, acc)),
      undefined,
    )!;
    super(read.expr, read.type, read.owner ?? index.owner);
  }

  assign(value: Operand): void {
    this.elements.forEach((e, k) => {
      if (BigInt(k) >= 1n << BigInt(this.index.width)) return;
      when(this.index.eq(k), () => e.assign(value));
    });
  }
}

type Make = (type: GroundType, name: string, explicit: boolean, flipped: boolean) => Var;

function build<T extends HdlType>(type: T, name: string, explicit: boolean, flipped: boolean, make: Make): Value<T> {
  if (isGround(type)) return make(type, name, explicit, flipped) as Value<T>;
  if (type.kind === "vec") {
    const elems = Array.from({ length: type.length }, (_, i) => build(type.elem, `${name}_${i}`, explicit, flipped, make));
    return new VecValue(elems, type.elem) as Value<T>;
  }
  const out: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries(type.fields)) {
    const f = fieldOf(decl);
    out[key] = build(f.type, `${name}_${key}`, explicit, flipped !== f.flipped, make);
  }
  tagBundle(out, type);
  return out as Value<T>;
}

function create<T extends HdlType>(
  type: T,
  what: string,
  opts: SignalOptions | undefined,
  loc: SourceLoc,
  kindOf: (flipped: boolean) => SignalKind,
  extra?: (t: GroundType) => object,
): Value<T> {
  currentContext(what);
  const base = opts?.name ?? nameAt(loc) ?? defaultHint(kindOf(false));
  return build(type, base, opts?.name !== undefined, false, (t, name, explicit, flipped) =>
    newSignal(kindOf(flipped), t, what, name, explicit, loc, extra?.(t)),
  );
}

function defaultHint(kind: SignalKind): string {
  return kind === "reg" ? "_reg" : kind === "wire" ? "_wire" : "port";
}

/** A combinational signal; it must be driven on every path. */
export function Wire<T extends HdlType>(type: T, opts?: SignalOptions): Value<T> {
  return create(type, "Wire()", opts, userLocation(), () => "wire");
}

/** A combinational signal with a default value, overridden by later assignments. */
export function WireDefault(value: Signal, opts?: SignalOptions): Var {
  const w = create(value.type, "WireDefault()", opts, userLocation(), () => "wire") as Var;
  w.assign(value);
  return w;
}

/** An input port; fields wrapped in Flipped() become outputs. */
export function Input<T extends HdlType>(type: T, opts?: SignalOptions): Value<T> {
  return create(type, "Input()", opts, userLocation(), (flipped) => (flipped ? "output" : "input"));
}

/** An output port; fields wrapped in Flipped() become inputs. */
export function Output<T extends HdlType>(type: T, opts?: SignalOptions): Value<T> {
  return create(type, "Output()", opts, userLocation(), (flipped) => (flipped ? "input" : "output"));
}

export interface RegOptions extends SignalOptions {
  /** Value loaded by the synchronous reset (no reset if omitted). */
  readonly init?: Literal;
  /** Clock enable: the register keeps its value while this is low. */
  readonly enable?: Signal;
}

/**
 * A register clocked by the module's clock (or the clock domain in scope, withClockDomain); reset
 * to `init` by the module's reset (or the domain's, in the domain's reset style).
 */
export function Reg<T extends HdlType>(type: T, opts?: RegOptions): Value<T> {
  const loc = userLocation();
  const ctx = currentContext("Reg()");
  const domain = ctx.domain;
  if (domain) {
    if (opts?.init !== undefined && !domain.reset) {
      throw new HdlError(loc, `register with an init value in clock domain ${domain.name}, which has no reset: give the domain a reset or leave out init`, [domain.loc]);
    }
  } else if (opts?.init !== undefined) ensureReset(ctx);
  else ensureClock(ctx);
  if (opts?.enable && opts.enable.width !== 1) {
    throw new HdlError(loc, `register enable must be 1 bit wide, got ${typeName(opts.enable.type)}`);
  }
  return create(type, "Reg()", opts, loc, () => "reg", (t) => ({
    ...(opts?.init !== undefined ? { init: checkedInit(opts.init, t, loc) } : {}),
    ...(opts?.enable ? { enable: opts.enable.expr } : {}),
    ...(domain ? { domain } : {}),
  }));
}

function checkedInit(init: Literal, t: GroundType, loc: SourceLoc): bigint {
  const v = toBigInt(init);
  if (!fits(v, t.width, t.kind === "sint")) throw new HdlError(loc, `register init value ${v} does not fit in ${typeName(t)}`);
  return v;
}

/** A register that follows `value` one clock later. */
export function RegNext(value: Operand, opts?: RegOptions): Var {
  const v = toSignal(value);
  const r = Reg(v.type, opts) as Var;
  r.assign(v);
  return r;
}
