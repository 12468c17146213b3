/**
 * BurstReader { port, burstBeats?, bufferBeats?, countBits = 24 }: reads `beats` consecutive
 * beats from byte address `addr` of a `BurstPort` and streams them out in order.
 *
 * Ports: `cmd` (Decoupled { addr, beats }, in; taken once every burst of the previous command
 * is requested, so commands follow each other without a gap while the data drains in order), `ar` (Decoupled command, out)
 * and `r` (Decoupled beat, in): the read half of a BurstPort; `out` (Decoupled beat data, out);
 * `busy` (a command taken and not all its beats out).
 *
 * The command is cut into bursts of `burstBeats` (default: the port's longest) and a shorter
 * last one. A burst is requested only when the buffer (`bufferBeats`, default 2 x burstBeats,
 * block RAM when over 32) has room for all of it, so `r.ready` stays high and a slow consumer
 * never holds the memory's read channel. With the buffer draining, requests keep
 * `bufferBeats / burstBeats` bursts in flight, which hides the memory latency when
 * bufferBeats >= latency x (beats per clock). Bursts do not respect AXI's 4 KB rule.
 *
 * Checks: `ar` and `out` keep the stream rule (assertStreamRules); the memory must return only
 * beats that were requested (an `assume`: a simulation stops when it does not).
 */
import { Bool, Bundle, Decoupled, Input, Output, Reg, UInt, assert, assume, constant, defineModule, log2Ceil, mux, requireParam, when } from "../core/index.js";
import { BurstBeat, BurstCommand, maxBurstBeats, type BurstPortParams } from "./burst.js";
import { queue } from "./queue.js";
import { assertStreamRules } from "./stream-rules.js";

export interface BurstReaderParams {
  readonly port: BurstPortParams;
  readonly burstBeats?: number;
  readonly bufferBeats?: number;
  /** bits of `cmd.beats` (commands of up to 2^countBits - 1 beats); default 24 */
  readonly countBits?: number;
}

/** The `cmd` payload of BurstReader and BurstWriter: `beats` beats from byte address `addr`. */
export function TransferCommand(port: BurstPortParams, countBits = 24) {
  return Bundle({ addr: UInt(port.addrBits), beats: UInt(countBits) });
}

export const BurstReader = defineModule("BurstReader", (p: BurstReaderParams) => {
  const burst = p.burstBeats ?? maxBurstBeats(p.port);
  requireParam(Number.isInteger(burst) && burst >= 1 && burst <= maxBurstBeats(p.port), `burstBeats must be an integer in 1..${maxBurstBeats(p.port)}, got ${burst}`);
  const buffer = p.bufferBeats ?? 2 * burst;
  requireParam(Number.isInteger(buffer) && buffer >= burst, `bufferBeats must be an integer >= burstBeats (${burst}), got ${buffer}`);
  const countBits = p.countBits ?? 24;
  requireParam(Number.isInteger(countBits) && countBits >= log2Ceil(burst + 1), `countBits = ${countBits} cannot count one burst of ${burst} beats: use at least ${log2Ceil(burst + 1)}, or shorter bursts (burstBeats)`);
  const cmd = Input(Decoupled(TransferCommand(p.port, countBits)));
  const ar = Output(Decoupled(BurstCommand(p.port)));
  const r = Input(Decoupled(BurstBeat(p.port)));
  const out = Output(Decoupled(UInt(8 * p.port.dataBytes)));
  const busy = Output(Bool());

  // ---- requests ----
  const nextAddr = Reg(UInt(p.port.addrBits), { init: 0 });
  const left = Reg(UInt(countBits), { init: 0 }); // beats not yet requested
  const pendingBits = log2Ceil(buffer + 1);
  const pending = Reg(UInt(pendingBits), { init: 0 }); // requested, not yet out
  const thisBurst = mux(left.lt(burst), left, constant(burst, UInt(countBits))).resize(log2Ceil(burst + 1));
  const room = pending.add(thisBurst).le(buffer);
  ar.valid.assign(left.neq(0).and(room));
  ar.bits.addr.assign(nextAddr);
  ar.bits.len.assign(thisBurst.subWrap(1).resize(ar.bits.len.width));
  const asked = ar.valid.and(ar.ready);
  cmd.ready.assign(left.eq(0));
  when(cmd.valid.and(cmd.ready), () => {
    nextAddr.assign(cmd.bits.addr);
    left.assign(cmd.bits.beats);
  }).elsewhen(asked, () => {
    nextAddr.assign(nextAddr.addWrap(thisBurst.mul(p.port.dataBytes).resize(p.port.addrBits)));
    left.assign(left.subWrap(thisBurst.zext(countBits)));
  });

  // ---- data ----
  const fifo = queue({ type: UInt(8 * p.port.dataBytes), depth: buffer }, { name: "beats" });
  fifo.enq.valid.assign(r.valid);
  fifo.enq.bits.assign(r.bits.data);
  r.ready.assign(fifo.enq.ready);
  out.valid.assign(fifo.deq.valid);
  out.bits.assign(fifo.deq.bits);
  fifo.deq.ready.assign(out.ready);
  const delivered = out.valid.and(out.ready);
  pending.assign(pending.add(mux(asked, thisBurst, 0).resize(pendingBits)).subWrap(delivered.zext(pendingBits + 1)).resize(pendingBits));
  busy.assign(left.neq(0).or(pending.neq(0)));
  // the memory's side of the port, and the invariants that keep ar's request standing (proved
  // with them, test/lib/stream-rules.test.ts): beats in flight = pending - beats buffered
  when(r.valid, () => assume(pending.gt(fifo.count), "r: the memory returns only beats that were requested"));
  assert(pending.ge(fifo.count), "the buffer holds only requested beats");
  assert(pending.le(buffer), "at most bufferBeats beats requested and not out");
  assertStreamRules(ar, "ar");
  assertStreamRules(out, "out");
  return { cmd, ar, r, out, busy };
});
