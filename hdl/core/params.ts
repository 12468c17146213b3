/**
 * Generator parameter checks: `requireParam(ok, message)` inside a module body stops the
 * elaboration with an HdlError at the instantiation site, naming the generator, e.g.
 * `hdl/spec2/pe-array.ts:80: Pe: xWords must divide K = 8, got 3`. `requireArgument(ok, message)`
 * does the same for a function of a hardware library (a counter, a mux helper): the error names
 * the line that called the function, outside the library's file.
 */
import { currentContext } from "./context.js";
import { HdlError } from "./errors.js";
import { callerLocation } from "./source.js";

export function requireParam(ok: boolean, message: string): asserts ok {
  if (ok) return;
  const ctx = currentContext("requireParam()");
  throw new HdlError(ctx.site, `${ctx.generator}: ${message}`);
}

export function requireArgument(ok: boolean, message: string): asserts ok {
  if (ok) return;
  throw new HdlError(callerLocation(), message);
}
