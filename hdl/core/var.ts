/**
 * Var: a named signal that can be driven (wire, register, port, instance
 * port). `assign` records a connection; last-connect semantics apply inside
 * `when` blocks. Whether the connection is legal is decided by the checks.
 */
import { currentContext, freshId } from "./context.js";
import { refTo, type IrRef, type IrSignal, type SignalKind } from "./ir.js";
import { Signal, constant, literal, type Operand } from "./signal.js";
import { userLocation, type SourceLoc } from "./source.js";
import type { GroundType } from "./types.js";
import { fits, toBigInt, type Literal } from "./literal.js";

export class Var extends Signal {
  declare readonly expr: IrRef;

  get signal(): IrSignal {
    return this.expr.signal;
  }

  /** Drives this signal with `value` (the next value, for a register). */
  assign(value: Operand): void {
    const ctx = currentContext("assign()");
    const loc = userLocation();
    const v = value instanceof Signal ? value : literalFor(value, this.type);
    ctx.block.push({ k: "connect", target: this.signal, value: v.expr, loc });
  }
}

/** A literal typed like its target; one that does not fit keeps its own width for the width check. */
function literalFor(value: Literal, type: GroundType): Signal {
  const v = toBigInt(value);
  const signed = type.kind === "sint";
  return fits(v, type.width, signed) ? constant(v, type) : literal(v, signed);
}

export interface SignalOptions {
  /** Verilog name (overrides the variable name). */
  readonly name?: string;
}

/** Creates a ground signal in the current module. */
export function newSignal(
  kind: SignalKind,
  type: GroundType,
  what: string,
  hint: string,
  explicit: boolean,
  loc: SourceLoc,
  extra?: Partial<IrSignal>,
): Var {
  const ctx = currentContext(what);
  const signal: IrSignal = {
    id: freshId(),
    kind,
    width: type.width,
    signed: type.kind === "sint",
    loc,
    module: ctx.module,
    hint,
    explicit,
    name: hint,
    ...(type.kind === "uint" && type.enumOf ? { enumVariants: type.enumOf.variants } : {}),
    ...extra,
  };
  if (kind === "input" || kind === "output") ctx.module.ports.push(signal);
  else ctx.module.signals.push(signal);
  return new Var(refTo(signal), type, ctx.module);
}
