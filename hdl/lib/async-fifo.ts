/**
 * AsyncFifo { type, depth, stages = 2 }: a FIFO between two clock domains. The write side runs on
 * `enq_clock` (reset by `enq_reset`), the read side on `deq_clock` (reset by `deq_reset`); both
 * resets synchronous and active high.
 *
 * Storage: `depth` words (a power of two >= 2) written in the write domain and read
 * asynchronously (first word falls through) by the read side. Pointers: binary and Gray-coded
 * registers of log2(depth) + 1 bits in their own domain; each side sees the other's Gray pointer
 * through a Synchronizer of `stages` flip-flops (one bit changes per step, so a sample is always
 * either the old or the new pointer). The synchronisers have no reset: hold both resets while
 * each clock has `stages` + 1 edges, so each holds the other side's reset pointer. full: the write pointer is `depth` ahead of the synchronised
 * read pointer (the top two Gray bits differ, the rest equal); empty: the read pointer equals the
 * synchronised write pointer. Both are conservative: a word written becomes visible to the reader
 * `stages` + 1 read-clock edges later, freed space to the writer likewise.
 */
import {
  Bool, Decoupled, Input, Mem, Output, Reg, UInt, Wire, clockDomain, defineModule, requireParam, when, withClockDomain, type HdlType, type Signal,
} from "../core/index.js";
import { pack, typeWidth, unpackInto } from "./pack.js";
import { assertStreamRules } from "./stream-rules.js";
import { Synchronizer } from "./synchronizer.js";

export interface AsyncFifoParams {
  readonly type: HdlType;
  readonly depth: number;
  readonly stages?: number;
}

/** Binary to Gray code: b ^ (b >> 1). */
function toGray(b: Signal): Signal {
  return b.xor(b.shr(1).zext(b.width));
}

export const AsyncFifo = defineModule("AsyncFifo", (p: AsyncFifoParams) => {
  const { depth } = p;
  requireParam(Number.isInteger(Math.log2(depth)) && depth >= 2, `depth must be a power of two >= 2, got ${depth}`);
  const stages = p.stages ?? 2;
  const aw = Math.log2(depth);
  const pw = aw + 1; // pointer bits: one more than the address, to tell full from empty
  const enq_clock = Input(Bool());
  const enq_reset = Input(Bool());
  const deq_clock = Input(Bool());
  const deq_reset = Input(Bool());
  const enq = Input(Decoupled(p.type));
  const deq = Output(Decoupled(p.type));
  const write = clockDomain({ clock: enq_clock, reset: enq_reset, name: "enq" });
  const read = clockDomain({ clock: deq_clock, reset: deq_reset, name: "deq" });
  const words = Mem(depth, UInt(typeWidth(p.type)));
  // the read side's Gray pointer, carried to the write side's synchroniser
  const rGrayCross = Wire(UInt(pw), { name: "deq_ptr_gray_cross" });

  // ---- write side ----
  const wGray = withClockDomain(write, () => {
    const wBin = Reg(UInt(pw), { init: 0, name: "enq_ptr" });
    const wGray = Reg(UInt(pw), { init: 0, name: "enq_ptr_gray" });
    const rSync = Synchronizer.instance({ width: pw, stages }, { name: "deq_ptr_sync" });
    rSync.in.assign(rGrayCross);
    // full: the top two Gray bits of the synchronised read pointer inverted, the rest equal
    const topTwo = ((1 << pw) - 1) ^ ((1 << (pw - 2)) - 1);
    const full = wGray.eq(rSync.out.xor(topTwo));
    enq.ready.assign(full.not());
    when(enq.valid.and(full.not()), () => {
      words.write(wBin.bits(aw - 1, 0), pack(enq.bits));
      const next = wBin.addWrap(1);
      wBin.assign(next);
      wGray.assign(toGray(next));
    });
    return wGray;
  });

  // ---- read side ----
  withClockDomain(read, () => {
    const rBin = Reg(UInt(pw), { init: 0, name: "deq_ptr" });
    const g = Reg(UInt(pw), { init: 0, name: "deq_ptr_gray" });
    rGrayCross.assign(g);
    const wSync = Synchronizer.instance({ width: pw, stages }, { name: "enq_ptr_sync" });
    wSync.in.assign(wGray);
    const empty = g.eq(wSync.out);
    deq.valid.assign(empty.not());
    unpackInto(words.readAsync(rBin.bits(aw - 1, 0)), deq.bits);
    when(deq.valid.and(deq.ready), () => {
      const next = rBin.addWrap(1);
      rBin.assign(next);
      g.assign(toGray(next));
    });
    assertStreamRules(deq, "deq");
  });
  return { enq_clock, enq_reset, deq_clock, deq_reset, enq, deq };
});
