/**
 * A counter with enable and synchronous reset: the smallest design with state.
 * `npx tsx examples/counter.ts > counter.v`
 */
import { Bool, Input, Output, Reg, UInt, defineModule, elaborate, isMain, printVerilog, when, type Elaboration } from "../hdl/core";

export const Counter = defineModule("Counter", (p: { width: number }) => {
  const enable = Input(Bool());
  const count = Output(UInt(p.width));
  const wrapped = Output(Bool());

  const value = Reg(UInt(p.width), { init: 0 });
  when(enable, () => {
    value.assign(value.addWrap(1));
  });
  count.assign(value);
  wrapped.assign(enable.and(value.andR()));
  return { enable, count, wrapped };
});

/** The design this file prints, and the one `npx tsx synth/report.ts examples/counter.ts` reports on. */
export const design = (): Elaboration => elaborate(Counter, { width: 8 });

if (isMain(import.meta.url)) printVerilog(design);
