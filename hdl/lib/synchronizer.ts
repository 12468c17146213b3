/**
 * Synchronizer { width = 1, stages = 2 }: `stages` flip-flops in series clocked by the module's
 * clock (the destination domain), for a signal that comes from another clock domain: `out` is
 * `in` some `stages` clock edges later, with the metastability of the first flop resolved by the
 * following ones. Only for single bits or Gray-coded values (one bit changing at a time); wider
 * data crosses through an AsyncFifo. No reset. The language emits no synthesis attributes yet, so
 * the flops carry no ASYNC_REG: constrain the `sync_0` registers in the implementation flow.
 */
import { Input, Output, RegNext, UInt, defineModule, requireParam, type Signal } from "../core/index.js";

export const Synchronizer = defineModule("Synchronizer", (p: { width?: number; stages?: number }) => {
  const width = p.width ?? 1;
  const stages = p.stages ?? 2;
  requireParam(Number.isInteger(stages) && stages >= 2, `stages must be an integer >= 2, got ${stages}`);
  const input = Input(UInt(width), { name: "in" });
  const out = Output(UInt(width));
  let x: Signal = input;
  for (let i = 0; i < stages; i++) x = RegNext(x, { name: `sync_${i}` });
  out.assign(x);
  return { in: input, out };
});
