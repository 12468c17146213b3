/**
 * A counter with enable and synchronous reset: the smallest design with state.
 * `npx tsx examples/counter.ts > counter.v`
 */
import { Bool, Input, Output, Reg, UInt, defineModule, isMain, printVerilog, when } from "../hdl/core";

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

if (isMain(import.meta.url)) printVerilog(Counter, { width: 8 });
