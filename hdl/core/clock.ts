/**
 * The implicit clock and reset. A module gets a `clock` input when it (or a
 * child) has state, and a `reset` input (synchronous, active high) when some
 * register has a reset value. Instances connect them by role. A user port named
 * `clock` or `reset` keeps its name; the implicit port then becomes `clock_1` / `reset_1`.
 */
import { currentContext, freshId, type ModuleContext } from "./context.js";
import { refTo, type IrModule, type IrSignal } from "./ir.js";
import { Bool } from "./types.js";
import { Var } from "./var.js";

export type ImplicitRole = "clock" | "reset";

const IMPLICIT = new WeakMap<IrSignal, ImplicitRole>();

/** True for the implicit `clock` and `reset` ports. */
export function isImplicitPort(s: IrSignal): boolean {
  return IMPLICIT.has(s);
}

/** The role of an implicit port, undefined for any other signal. */
export function implicitRole(s: IrSignal): ImplicitRole | undefined {
  return IMPLICIT.get(s);
}

/** A module's implicit clock or reset port, if it has one. */
export function implicitPortOf(m: IrModule, role: ImplicitRole): IrSignal | undefined {
  return m.ports.find((p) => IMPLICIT.get(p) === role);
}

function implicitPort(ctx: ModuleContext, name: ImplicitRole): IrSignal {
  const ports = ctx.module.ports;
  const existing = implicitPortOf(ctx.module, name);
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
  IMPLICIT.set(signal, name);
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
