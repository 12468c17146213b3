/**
 * WeightBuffer { row, maxDepth, tileBits }: the double-buffered on-chip schedule of a PE array
 * with streamed weights (PeArray `weights: { maxDepth }`). Two banks of maxDepth rows (row
 * format: weight-row.ts): per word (PE) one memory of 2 x maxDepth words, and one of the control
 * bits, all read synchronously (block RAM when large). Bank 1 starts at address maxDepth, so a
 * maxDepth that is not a power of two costs no padding (2 x 2560 words of 26 bits take 5 RAMB36,
 * not the 6 of 2 x 4096).
 *
 * Ports:
 *   load (Decoupled WeightRow, in)  rows of one bank in address order; `last` on the bank's final
 *                                   row, with `tiles` (>= 1): the number of tiles it serves
 *   ready (out)                     the current read bank is computable
 *   tileLast, ctl (out)             the control bits of the current read address
 *   issue (in)                      the array issues the current address this cycle (only while ready)
 *   words (out)                     the words of the address issued in the previous cycle (the
 *                                   timing of KernelRom: the word appears in the cycle after `issue`)
 *
 * Bank protocol: rows go to the write bank while it is not full; its last row marks it full one
 * clock later (so the control read of its address 0 sees every write) and the write side moves
 * to the other bank. The read side issues addresses 0, 1, ... of the read bank, back to 0 after
 * each tileLast; the `tiles`-th tileLast releases the bank (its last words are read on that
 * edge, so it may be written from the next one) and the read side moves to the other bank, with
 * no idle clock when that bank is full. A bank of more than maxDepth rows wraps, and one of 0
 * tiles would never be released (assertions catch both).
 *
 * The control is read at the next address (the one the current issue leads to) so that it is
 * there, registered, in the cycle the array decides on the issue.
 *
 * Cost (Yosys 0.23 synth_xilinx; 8 words of 42 bits, 3 control bits, maxDepth 128, tileBits 16):
 * 112 LUTs + 32 LUT-RAM LUTs (the control memory), 56 FF, 8 RAMB36 (a 256 x 42 memory per word).
 */
import { Bool, Decoupled, Input, Mem, Output, Reg, UInt, Vec, Wire, assert, cat, defineModule, log2Ceil, mux, when, type Signal } from "../core";
import { checkParams, isIntIn } from "./generator-params";
import { WeightRow, type WeightRowShape } from "./weight-row";

export interface WeightBufferParams {
  readonly row: WeightRowShape;
  /** rows per bank */
  readonly maxDepth: number;
  /** bits of `tiles` */
  readonly tileBits: number;
  /** the word memories' style (the `ram_style` attribute); default: the tool's choice by size */
  readonly style?: "block" | "distributed";
}

export const WeightBuffer = defineModule("WeightBuffer", (p: WeightBufferParams) => {
  const { row, maxDepth, tileBits } = p;
  checkParams([
    [isIntIn(maxDepth, 1, 1 << 20), `maxDepth must be an integer in 1..2^20, got ${maxDepth}`],
    [isIntIn(tileBits, 1, 32), `tileBits must be an integer in 1..32, got ${tileBits}`],
  ]);
  const aBits = log2Ceil(Math.max(2, maxDepth));
  const load = Input(Decoupled(WeightRow(row, tileBits)));
  const issue = Input(Bool());
  const ready = Output(Bool());
  const tileLast = Output(Bool());
  const ctl = Output(UInt(row.ctlBits));
  const words = Output(Vec(row.words, UInt(row.wordBits)));

  const full = [0, 1].map((b) => Reg(Bool(), { init: 0, name: `full${b}` }));
  const tiles = [0, 1].map((b) => Reg(UInt(tileBits), { init: 0, name: `tiles${b}` }));

  // ---- write side ----
  const wb = Reg(Bool(), { init: 0 });
  const wa = Reg(UInt(aBits), { init: 0 });
  const marking = Reg(Bool(), { init: 0 }); // a bank's last row was written on the previous edge
  const markBank = Reg(Bool(), { init: 0 });
  load.ready.assign(mux(wb, full[1]!, full[0]!).not());
  const write = load.valid.and(load.ready);
  assert(write.not().or(load.bits.last).or(wa.neq(maxDepth - 1)), `WeightBuffer: a bank of more than maxDepth = ${maxDepth} rows`);
  assert(write.not().or(load.bits.last.not()).or(load.bits.tiles.neq(0)), "WeightBuffer: a bank serving 0 tiles");
  // a bank's rows from bank x maxDepth: the bank bit above the row address when maxDepth is a power of two
  const packed = (maxDepth & (maxDepth - 1)) === 0;
  const depth = packed ? 2 << aBits : 2 * maxDepth;
  const at = (bank: Signal, a: Signal): Signal => (packed ? cat(bank, a) : mux(bank, a.resize(aBits + 1).add(maxDepth).resize(aBits + 1), a.resize(aBits + 1)));
  const waddr = at(wb, wa);
  const ctlMem = Mem(depth, UInt(1 + row.ctlBits), { name: "ctl_mem" });
  ctlMem.write(waddr, cat(load.bits.ctl, load.bits.tileLast), { enable: write });
  const wordMems = Array.from({ length: row.words }, (_, k) => {
    const m = Mem(depth, UInt(row.wordBits), { name: `word${k}`, ...(p.style ? { style: p.style } : {}) });
    m.write(waddr, load.bits.words.at(k), { enable: write });
    return m;
  });
  marking.assign(write.and(load.bits.last));
  markBank.assign(wb);
  when(write, () => {
    when(load.bits.last, () => {
      wa.assign(0);
      wb.assign(wb.not());
      tiles.forEach((t, b) => when(wb.eq(b), () => t.assign(load.bits.tiles)));
    }).otherwise(() => wa.assign(wa.addWrap(1)));
  });
  full.forEach((f, b) => when(marking.and(markBank.eq(b)), () => f.assign(1)));

  // ---- read side ----
  const rb = Reg(Bool(), { init: 0 });
  const ra = Reg(UInt(aBits), { init: 0 });
  const readAddr = Wire(UInt(1 + aBits));
  const current = ctlMem.readSync(readAddr); // the control of (rb, ra)
  const isTileLast = current.bit(0);
  const done = issue.and(isTileLast);
  const left = mux(rb, tiles[1]!, tiles[0]!);
  const passEnd = done.and(left.eq(1));
  const nextAddr = mux(issue, mux(isTileLast, 0, ra.addWrap(1)), ra);
  const nextBank = mux(passEnd, rb.not(), rb);
  readAddr.assign(at(nextBank, nextAddr));
  ra.assign(nextAddr);
  rb.assign(nextBank);
  tiles.forEach((t, b) => when(done.and(rb.eq(b)), () => t.assign(t.subWrap(1))));
  full.forEach((f, b) => when(passEnd.and(rb.eq(b)), () => f.assign(0)));
  ready.assign(mux(rb, full[1]!, full[0]!));
  tileLast.assign(isTileLast);
  ctl.assign(current.bits(row.ctlBits, 1));
  const wordAddr = at(rb, ra);
  wordMems.forEach((m, k) => words.at(k).assign(m.readSync(wordAddr, { enable: issue })));
  return { load, issue, ready, tileLast, ctl, words };
});
