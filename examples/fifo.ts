/**
 * A synchronous FIFO on an inferred memory, with ready/valid on both sides.
 * The memory is read synchronously, so large FIFOs map to block RAM; a small
 * output register ("prefetch") hides the read latency.
 * `npx tsx examples/fifo.ts > fifo.v`
 */
import { Decoupled, Input, Mem, Output, Reg, UInt, assert, defineModule, elaborate, isMain, log2Ceil, mux, printVerilog, requireParam, when, type Elaboration, type Signal } from "../hdl/core";
import { assertQueueOrder } from "../hdl/lib/queue-order";

export interface FifoParams {
  readonly width: number;
  /** Number of words; a power of two. */
  readonly depth: number;
  /** Add the assertions that no word is lost, duplicated or reordered (for proofs; hdl/lib/queue-order.ts). */
  readonly checkOrder?: boolean;
}

export const Fifo = defineModule("Fifo", (p: FifoParams) => {
  requireParam(p.depth >= 2 && (p.depth & (p.depth - 1)) === 0, `depth must be a power of two >= 2, got ${p.depth}`);
  const enq = Input(Decoupled(UInt(p.width)));
  const deq = Output(Decoupled(UInt(p.width)));
  const aw = log2Ceil(p.depth);
  // Up to depth words in memory plus one in the output register.
  const count = Output(UInt(aw + 1));

  const storage = Mem(p.depth, UInt(p.width));
  const writePtr = Reg(UInt(aw), { init: 0 });
  const readPtr = Reg(UInt(aw), { init: 0 });
  // Words in the memory (not counting the one in the output register).
  const stored = Reg(UInt(aw + 1), { init: 0 });
  const outValid = Reg(UInt(1), { init: 0 });

  const doEnq = enq.valid.and(enq.ready);
  const doDeq = deq.valid.and(deq.ready);
  // Load the output register when it is empty or being emptied, and memory holds a word.
  const load = stored.neq(0).and(outValid.not().or(doDeq));

  enq.ready.assign(stored.lt(p.depth));
  when(doEnq, () => {
    storage.write(writePtr, enq.bits);
    writePtr.assign(writePtr.addWrap(1));
  });
  deq.bits.assign(storage.readSync(readPtr, { enable: load }));
  when(load, () => readPtr.assign(readPtr.addWrap(1)));
  stored.assign(stored.addWrap(doEnq.zext(aw + 1)).subWrap(load.zext(aw + 1)));
  when(load, () => outValid.assign(1)).elsewhen(doDeq, () => outValid.assign(0));
  deq.valid.assign(outValid);
  count.assign(stored.addWrap(outValid));

  // Invariants, checked in every simulation and proved by induction (test/lib/formal.test.ts).
  assert(stored.le(p.depth), "at most depth words in memory");
  assert(writePtr.subWrap(readPtr).eq(stored.trunc(aw)), "the pointers are as far apart as the words stored");
  if (p.checkOrder) {
    // position 0 is the output register when it holds a word, the rest are in memory from readPtr
    const wordAt = (pos: Signal): Signal => mux(outValid.and(pos.eq(0)), deq.bits, storage.readAsync(readPtr.addWrap(pos.subWrap(outValid).resize(aw))));
    assertQueueOrder({ push: doEnq, pushBits: enq.bits, pop: doDeq, popBits: deq.bits, count, capacity: p.depth + 1, wordAt });
  }
  return { enq, deq, count };
});

/** The design this file prints, and the one `npx tsx synth/report.ts examples/fifo.ts` reports on. */
export const design = (): Elaboration => elaborate(Fifo, { width: 16, depth: 16 });

if (isMain(import.meta.url)) printVerilog(design);
