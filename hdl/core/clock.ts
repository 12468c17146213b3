/**
 * The implicit clock and reset. A module gets a `clock` input when it (or a
 * child) has state, and a `reset` input (synchronous, active high) when some
 * register has a reset value. Instances connect them by name.
 */
import { currentContext, freshId, type ModuleContext } from "./context";
import { refTo, type IrSignal } from "./ir";
import { Bool } from "./types";
import { Var } from "./var";

const IMPLICIT = new WeakSet<IrSignal>();

/** True for the implicit `clock` and `reset` ports. */
export function isImplicitPort(s: IrSignal): boolean {
  return IMPLICIT.has(s);
}

function implicitPort(ctx: ModuleContext, name: "clock" | "reset"): IrSignal {
  const ports = ctx.module.ports;
  const existing = ports.find((p) => IMPLICIT.has(p) && p.name === name);
  if (existing) return existing;
  const signal: IrSignal = {
    id: freshId(),
    kind: "input",
    width: 1,
    signed: false,
    loc: ctx.module.loc,
    module: ctx.module,
    hint: name,
    explicit: true,
    name,
  };
  IMPLICIT.add(signal);
  // Order: clock, reset, then the user's ports.
  const at = name === "clock" ? 0 : ports[0] && IMPLICIT.has(ports[0]) ? 1 : 0;
  ports.splice(at, 0, signal);
  return signal;
}

export function ensureClock(ctx: ModuleContext): IrSignal {
  ctx.module.hasClock = true;
  return implicitPort(ctx, "clock");
}

export function ensureReset(ctx: ModuleContext): IrSignal {
  ensureClock(ctx);
  ctx.module.hasReset = true;
  return implicitPort(ctx, "reset");
}

/** The current module's clock, e.g. to connect a blackbox's clock input. */
export function implicitClock(): Var {
  const ctx = currentContext("implicitClock()");
  return new Var(refTo(ensureClock(ctx)), Bool(), ctx.module);
}

/** The current module's synchronous active-high reset. */
export function implicitReset(): Var {
  const ctx = currentContext("implicitReset()");
  return new Var(refTo(ensureReset(ctx)), Bool(), ctx.module);
}
