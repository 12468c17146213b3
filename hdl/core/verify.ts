/**
 * Verification statements in a design: `assert`, `assume`, `cover` and `printf`. Each is checked
 * (or printed) at every rising clock edge outside reset, under the enclosing `when` conditions;
 * the Verilog emitter writes them for simulation (`ifndef SYNTHESIS`) and for Yosys's formal flow
 * (`ifdef FORMAL`), so synthesis never sees them. Semantics: hdl/core/README.md#assertions.
 */
import { ensureReset } from "./clock.js";
import { currentContext, type ModuleContext } from "./context.js";
import { HdlError } from "./errors.js";
import type { IrVerification } from "./ir.js";
import { Signal, toSignal, type Operand } from "./signal.js";
import { userLocation, type SourceLoc } from "./source.js";
import { Bool, typeName } from "./types.js";

/** printf conversions: `%d` decimal (signed values print negative), `%x` hex, `%b` binary, `%c` a character. */
const CONVERSION = /%(.)/g;
const CONVERSIONS = new Set(["d", "x", "b", "c"]);

function oneBit(c: Operand, what: string, loc: SourceLoc): Signal {
  const s = toSignal(c);
  if (s.width !== 1) throw new HdlError(loc, `${what} condition must be 1 bit wide, got ${typeName(s.type)}`);
  return s;
}

function text(value: unknown, what: string, loc: SourceLoc): string {
  if (typeof value !== "string" || value === "") throw new HdlError(loc, `${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  if (/[\n\r"\\]/.test(value)) throw new HdlError(loc, `${what} ${JSON.stringify(value)} must not contain quotes, backslashes or line breaks`);
  return value;
}

/** The enclosing `when` conditions AND'ed, as a 1-bit signal (1 outside any `when`). */
function enableOf(ctx: ModuleContext): Signal {
  const parts = ctx.conditions.map((c) => new Signal(c, Bool(), ctx.module));
  return parts.length === 0 ? toSignal(true) : parts.reduce((x, y) => x.and(y));
}

function record(k: IrVerification["k"], cond: Signal, message: string, args: readonly Signal[], loc: SourceLoc, what: string): void {
  const ctx = currentContext(what);
  if (!ctx.domain) ensureReset(ctx);
  ctx.module.verification.push({
    k,
    cond: cond.expr,
    enable: enableOf(ctx).expr,
    message,
    args: args.map((a) => a.expr),
    loc,
    index: -1,
    ...(ctx.domain ? { domain: ctx.domain } : {}),
  });
}

/**
 * `cond` must hold at every clock edge outside reset (under the enclosing `when`s). In simulation
 * a violation stops the run with `SimAssertionError` naming this line, `message` and the cycle;
 * `synth/prove.ts` proves it or finds a counterexample.
 */
export function assert(cond: Operand, message: string): void {
  const loc = userLocation();
  record("assert", oneBit(cond, "assert", loc), text(message, "assert message", loc), [], loc, "assert()");
}

/**
 * An assumption about the environment (usually about inputs): formal proofs consider only traces
 * where it holds; in simulation a violation stops the run like a failed assertion.
 */
export function assume(cond: Operand, message = "assumption"): void {
  const loc = userLocation();
  record("assume", oneBit(cond, "assume", loc), text(message, "assume message", loc), [], loc, "assume()");
}

/** An event that should be reachable: `prove(..., { mode: "cover" })` finds a trace to it; simulation records when it is hit. */
export function cover(cond: Operand, name: string): void {
  const loc = userLocation();
  record("cover", oneBit(cond, "cover", loc), text(name, "cover name", loc), [], loc, "cover()");
}

/**
 * Prints a line at every clock edge outside reset (under the enclosing `when`s) in simulation:
 * `printf("pushed %d at %x", data, addr)`. Conversions: `%d`, `%x`, `%b`, `%c`; `%%` is a percent sign.
 */
export function printf(format: string, ...args: Operand[]): void {
  const loc = userLocation();
  text(format, "printf format", loc);
  if (format.startsWith("@")) throw new HdlError(loc, `printf format ${JSON.stringify(format)} must not start with "@" (the simulators' protocol uses such lines)`);
  let wanted = 0;
  for (const m of format.matchAll(CONVERSION)) {
    if (m[1] === "%") continue;
    if (!CONVERSIONS.has(m[1]!)) throw new HdlError(loc, `printf format ${JSON.stringify(format)}: unknown conversion %${m[1]} (use %d, %x, %b, %c or %%)`);
    wanted++;
  }
  if (wanted !== args.length) throw new HdlError(loc, `printf format ${JSON.stringify(format)} has ${wanted} conversion${wanted === 1 ? "" : "s"} but ${args.length} value${args.length === 1 ? " was" : "s were"} given`);
  const values = args.map((a, i) => {
    if (!(a instanceof Signal)) throw new HdlError(loc, `printf argument ${i + 1} must be a signal, got ${typeof a}`);
    return a;
  });
  record("printf", toSignal(true), format, values, loc, "printf()");
}
