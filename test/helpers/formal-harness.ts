/**
 * For formal harnesses: gives every port of an instance a port of the module being built (same
 * type, the instance's flattened name), so a proof drives the instance's inputs freely and sees
 * its outputs, while the harness adds assertions on the instance's signals.
 */
import { Input, Output, Var, VecValue } from "../../hdl/core";

export function exposePorts(io: unknown, path = ""): Record<string, Var> {
  const out: Record<string, Var> = {};
  const walk = (v: unknown, p: string): void => {
    if (v instanceof Var) {
      if (v.signal.kind === "instIn") {
        const port = Input(v.type, { name: p });
        v.assign(port);
        out[p] = port;
      } else {
        const port = Output(v.type, { name: p });
        port.assign(v);
        out[p] = port;
      }
    } else if (v instanceof VecValue) v.elements.forEach((e, i) => walk(e, `${p}_${i}`));
    else if (v !== null && typeof v === "object") for (const [k, f] of Object.entries(v)) walk(f, p ? `${p}_${k}` : k);
  };
  walk(io, path);
  return out;
}
