/**
 * A ready/valid pipeline stage (a "skid buffer"): registers the data path and
 * the ready path, so it breaks both timing paths while sustaining one
 * transfer per clock.
 * `npx tsx examples/pipeline-stage.ts > stage.v`
 */
import { Decoupled, Input, Output, Reg, UInt, defineModule, elaborate, isMain, mux, printVerilog, when, type Elaboration, type HdlType } from "../hdl/core";

export const PipelineStage = defineModule("PipelineStage", (p: { width: number }) => {
  const type: HdlType = UInt(p.width);
  const input = Input(Decoupled(type));
  const output = Output(Decoupled(type));

  const outValid = Reg(UInt(1), { init: 0 });
  const outBits = Reg(UInt(p.width));
  // A word accepted while the output was stalled waits here.
  const skidValid = Reg(UInt(1), { init: 0 });
  const skidBits = Reg(UInt(p.width));

  const outFree = outValid.not().or(output.ready);
  input.ready.assign(skidValid.not());

  when(outFree, () => {
    outValid.assign(skidValid.or(input.valid));
    outBits.assign(mux(skidValid, skidBits, input.bits));
    skidValid.assign(0);
  }).otherwise(() => {
    when(input.valid.and(input.ready), () => {
      skidValid.assign(1);
      skidBits.assign(input.bits);
    });
  });

  output.valid.assign(outValid);
  output.bits.assign(outBits);
  return { input, output };
});

/** The design this file prints, and the one `npx tsx synth/report.ts examples/pipeline-stage.ts` reports on. */
export const design = (): Elaboration => elaborate(PipelineStage, { width: 32 });

if (isMain(import.meta.url)) printVerilog(design);
