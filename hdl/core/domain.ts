/**
 * Clock domains. A module has one implicit domain (its `clock` input and, when some register has
 * a reset value, its `reset` input); `ClockDomain({ clock, reset, resetKind, resetActive })`
 * declares another from 1-bit signals of the module (usually inputs), and
 * `withClockDomain(domain, () => ...)` puts the registers, memory ports and instances created in
 * the body into it. An instance inherits the domain in scope: its implicit clock and reset are
 * connected to the domain's, and it is elaborated for the domain's reset style (a module used in
 * domains of different reset styles becomes one Verilog module per style).
 *
 * Reset styles: "sync" (at the clock edge, the default) or "async" (`always @(posedge clock or
 * posedge reset)`), active "high" (default) or "low".
 */
import { currentContext, freshId } from "./context.js";
import { HdlError } from "./errors.js";
import type { IrDomain, ResetStyle } from "./ir.js";
import { userLocation } from "./source.js";
import { Var } from "./var.js";

export interface ClockDomainOptions {
  /** The clock: a 1-bit signal of this module (an input, or a wire driven from one) */
  readonly clock: Var;
  /** The reset, if registers of the domain have reset values: a 1-bit signal of this module */
  readonly reset?: Var;
  /** "sync" (default) or "async" */
  readonly resetKind?: ResetStyle["kind"];
  /** "high" (default) or "low" */
  readonly resetActive?: ResetStyle["active"];
  /** For messages and Verilog comments (default: the clock's name) */
  readonly name?: string;
}

export class ClockDomain {
  constructor(readonly ir: IrDomain) {}

  get name(): string {
    return this.ir.name;
  }
}

/** A clock domain of the current module. */
export function clockDomain(opts: ClockDomainOptions): ClockDomain {
  const loc = userLocation();
  const ctx = currentContext("clockDomain()");
  const one = (v: Var | undefined, what: string): void => {
    if (v === undefined) return;
    if (!(v instanceof Var)) throw new HdlError(loc, `the ${what} of a clock domain must be a signal (an Input, Wire or Reg), got ${typeof v}`);
    if (v.width !== 1) throw new HdlError(loc, `the ${what} of a clock domain must be 1 bit wide, got ${v.width} bits`);
    if (v.signal.module !== ctx.module) throw new HdlError(loc, `the ${what} of a clock domain belongs to module ${v.signal.module.name}, not ${ctx.module.name}: pass it through a port`);
  };
  one(opts.clock, "clock");
  one(opts.reset, "reset");
  const kind = opts.resetKind ?? "sync";
  const active = opts.resetActive ?? "high";
  if (kind !== "sync" && kind !== "async") throw new HdlError(loc, `resetKind must be "sync" or "async", got ${JSON.stringify(kind)}`);
  if (active !== "high" && active !== "low") throw new HdlError(loc, `resetActive must be "high" or "low", got ${JSON.stringify(active)}`);
  const ir: IrDomain = {
    id: freshId(),
    name: opts.name ?? opts.clock.signal.hint,
    clock: opts.clock.signal,
    ...(opts.reset ? { reset: opts.reset.signal } : {}),
    style: { kind, active },
    loc,
  };
  ctx.module.domains.push(ir);
  return new ClockDomain(ir);
}

/** Runs `body` with `domain` as the clock domain of the registers, memory ports and instances it creates. */
export function withClockDomain<T>(domain: ClockDomain, body: () => T): T {
  const loc = userLocation();
  const ctx = currentContext("withClockDomain()");
  if (!ctx.module.domains.includes(domain.ir)) throw new HdlError(loc, `clock domain ${domain.name} belongs to another module: declare it in ${ctx.module.name} with clockDomain()`);
  const saved = ctx.domain;
  ctx.domain = domain.ir;
  try {
    return body();
  } finally {
    ctx.domain = saved;
  }
}
