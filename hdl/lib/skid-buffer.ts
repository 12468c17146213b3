/**
 * SkidBuffer { type }: a ready/valid pipeline stage that registers both the data path and the
 * ready path (`in.ready` is a register), so it breaks both timing paths while sustaining one
 * transfer per clock. A word accepted while the output stalls waits in the skid register.
 * Latency one cycle; capacity two words.
 */
import { Decoupled, Input, Output, Reg, UInt, defineModule, mux, when, type HdlType } from "../core/index.js";
import { pack, typeWidth, unpackInto } from "./pack.js";
import { assertStreamRules } from "./stream-rules.js";

export const SkidBuffer = defineModule("SkidBuffer", (p: { type: HdlType }) => {
  const width = typeWidth(p.type);
  const input = Input(Decoupled(p.type), { name: "in" });
  const output = Output(Decoupled(p.type), { name: "out" });
  const outValid = Reg(UInt(1), { init: 0 });
  const outBits = Reg(UInt(width));
  const skidValid = Reg(UInt(1), { init: 0 });
  const skidBits = Reg(UInt(width));
  const outFree = outValid.not().or(output.ready);
  input.ready.assign(skidValid.not());
  when(outFree, () => {
    outValid.assign(skidValid.or(input.valid));
    outBits.assign(mux(skidValid, skidBits, pack(input.bits)));
    skidValid.assign(0);
  }).otherwise(() => {
    when(input.valid.and(input.ready), () => {
      skidValid.assign(1);
      skidBits.assign(pack(input.bits));
    });
  });
  output.valid.assign(outValid);
  unpackInto(outBits, output.bits);
  assertStreamRules(output, "out");
  return { in: input, out: output };
});
