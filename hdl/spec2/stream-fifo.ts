/**
 * A small first-word-fall-through FIFO for packed words, with ready/valid on
 * both sides (LUT RAM: the head is read asynchronously). Used where a unit
 * without output back-pressure feeds one that can stall.
 */
import { Bool, Input, Mem, Output, Reg, UInt, defineModule, log2Ceil, mux, when } from "../core";

export interface StreamFifoParams {
  readonly width: number;
  /** Number of words; a power of two >= 2. */
  readonly depth: number;
}

export const StreamFifo = defineModule("StreamFifo", (p: StreamFifoParams) => {
  if (p.depth < 2 || (p.depth & (p.depth - 1)) !== 0) throw new RangeError(`StreamFifo depth must be a power of two >= 2, got ${p.depth}`);
  const aw = log2Ceil(p.depth);
  const enqValid = Input(Bool(), { name: "enq_valid" });
  const enqReady = Output(Bool(), { name: "enq_ready" });
  const enqBits = Input(UInt(p.width), { name: "enq_bits" });
  const deqValid = Output(Bool(), { name: "deq_valid" });
  const deqReady = Input(Bool(), { name: "deq_ready" });
  const deqBits = Output(UInt(p.width), { name: "deq_bits" });
  const count = Output(UInt(aw + 1));

  const words = Mem(p.depth, UInt(p.width));
  const head = Reg(UInt(aw), { init: 0 });
  const tail = Reg(UInt(aw), { init: 0 });
  const used = Reg(UInt(aw + 1), { init: 0 });
  const push = enqValid.and(enqReady);
  const pop = deqValid.and(deqReady);
  enqReady.assign(used.lt(p.depth));
  deqValid.assign(used.neq(0));
  deqBits.assign(words.readAsync(head));
  when(push, () => {
    words.write(tail, enqBits);
    tail.assign(tail.addWrap(1));
  });
  when(pop, () => head.assign(head.addWrap(1)));
  used.assign(mux(push.and(pop.not()), used.addWrap(1), mux(pop.and(push.not()), used.subWrap(1), used)));
  count.assign(used);
  return { enqValid, enqReady, enqBits, deqValid, deqReady, deqBits, count };
});
