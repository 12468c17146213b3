/**
 * Generator parameter checks: `requireParam(ok, message)` inside a module body stops the
 * elaboration with an HdlError at the instantiation site, naming the generator, e.g.
 * `hdl/spec2/pe-array.ts:80: Pe: xWords must divide K = 8, got 3`.
 */
import { currentContext } from "./context.js";
import { HdlError } from "./errors.js";

export function requireParam(ok: boolean, message: string): asserts ok {
  if (ok) return;
  const ctx = currentContext("requireParam()");
  throw new HdlError(ctx.site, `${ctx.generator}: ${message}`);
}
