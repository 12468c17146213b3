/**
 * One SPEC2 processing element (SPEC2.md section 4): a local double-buffered copy of the current
 * input channel's spectrum, one exact complex MAC per clock into accumulators held in block RAM
 * (or LUT RAM when small) with a pipelined read-modify-write, double-buffered by tile, drained a
 * word (or drainWords words) per clock.
 *
 * Pipeline (the array issues ROM address a in cycle c; the kernel ROM answers in c+1):
 *   S1 (c+1): entry {useful, first, oLocal, index, re, im}; index -> (u, v); synchronous read of
 *             X[u][v] from the X bank `xBank`; the accumulator location of (oLocal, u, v).
 *   S2 (c+2): exact complex product X * (re + j im), registered; synchronous read of the
 *             accumulator word (skipped for the first MAC into the word in this tile).
 *   S3 (c+3): sum = (first ? 0 : word) + product, registered.
 *   S4 (c+4): the sum is written back; `mac` is high.
 *   A MAC reads its word in S2 and the write lands at the end of S4, so two MACs into one word
 *   must be issued at least ACC_RMW_DISTANCE = 3 cycles apart: the schedule (schedule.ts)
 *   orders every PE's entries so (checkHazards adds a `hazard` output that flags a violation).
 *   `first` makes clearing unnecessary: a tile's first MAC into a word overwrites it, and the
 *   drain masks the words this PE never touched in the tile (`dr_keep`, from the schedule).
 *
 * Storage:
 *   X:   xWords memories of 2 banks x (K/2+1 columns, padded to 2^vBits) x K/xWords words of
 *        2 x xBits bits; word (u, v) lives in memory u mod xWords at cat(bank, v, u div xWords).
 *        The broadcast writes xWords words of one column per beat.
 *   acc: 2 banks x drainWords memories of accDepth(K, drainWords, oLoc) words of 2 x accBits
 *        bits (re, im); word (m, u, v) lives in memory u mod D at accLocation(). One read port
 *        per memory, shared by the MAC (S2) and the drain; contract: a bank is drained only
 *        while no MAC of the PE is in S2..S4 for it (the array's bank protocol).
 *
 * Drain: dr_en/dr_bank/dr_addr in cycle d read the D memories of bank dr_bank at dr_addr;
 * in cycle d+1 dr_words[q] is the word of memory q, or 0 where dr_keep[q] is low.
 *
 * Cost (Yosys 0.23 synth_xilinx, 7-series; `npx tsx bench/pe.ts`, bench/results/pe.json). LUT sites
 * = logic LUTs + LUT-RAM LUTs; RAMB36 counts a RAMB18 as a half:
 *   VGG16-class (this file's main: K 8, 16-bit data and weights, 16 output channels, 42-bit exact
 *   accumulators for Cin <= 512, one-word X writes and drain): 363 LUT sites (275 + 88 LUT RAM for
 *   the X copy), 188 FF, 4 DSP48E1, 5 RAMB36 (the two 640 x 84-bit accumulator banks).
 *   The same with the 3-multiplier (Gauss) product: 380 LUT sites, 220 FF, 3 DSP48E1, 5 RAMB36.
 *   With 36-bit accumulators (exact for at most 8 terms per word, else a rounded format the golden
 *   model does not have): 339 LUT sites, 176 FF, 4 DSP48E1, 4 RAMB36.
 *   Whole-column X writes (xWords = K): 529 LUT sites; whole-column drain (drainWords = K, LeNet
 *   conv1's 3 channels): 2,370 LUT sites, no block RAM.
 *   The previous PE this replaces (LUT-RAM accumulators drained a column per clock): 1,652 LUT + 940
 *   LUT-RAM LUTs for the same 4 DSP48E1.
 *
 * Ports:
 *   issued, xBank, accBank               S1 control from the array (an entry is on entry_*)
 *   entry_{useful,first,oLocal,index,re,im}  the kernel ROM's output
 *   ld_{en,bank,addr,words}              broadcast write: words u = beat*xWords + q of column v,
 *                                        addr = cat(v, beat)
 *   dr_{en,bank,addr}, dr_keep -> dr_words   drain (above)
 *   mac                                  a useful MAC completes this cycle (S4)
 *   hazard (checkHazards only)           an S2 read of a word with a write still in S3/S4
 */
import { Bool, Bundle, Input, Mem, Output, Reg, RegNext, SInt, UInt, Vec, cat, constant, defineModule, isMain, log2Ceil, mux, printVerilog, requireParam, when, type Signal, type Var } from "../core";
import { ComplexT, type Complex } from "./fixed";
import { IndexDecoder, halfCols, indexWidths } from "./index-decoder";
import { complexProduct, type Multiplier } from "./complex-mul";
import { mulConst, selectTree } from "../lib";

/** Two MACs into one accumulator word must be issued at least this many cycles apart. */
export const ACC_RMW_DISTANCE = 3;

/** Cycles from a MAC's ROM address to its write into the accumulators (S4), and so to `mac`. */
export const PE_MAC_LATENCY = 4;

export interface PeParams {
  readonly K: number;
  /** input spectrum word width (re, im each), 16 */
  readonly xBits: number;
  /** weight word width (re, im each), 16 */
  readonly weightBits: number;
  /** accumulator width (re, im each), see schedule.ts accumulatorBits() */
  readonly accBits: number;
  /** local output channels (accumulator regions) */
  readonly oLoc: number;
  /** X words written per load beat, a divisor of K (default K: a whole column per beat) */
  readonly xWords?: number;
  /** accumulator words drained per clock, a divisor of K (default 1) */
  readonly drainWords?: number;
  /** complex multiplier: "four" (4 DSP, default) or "gauss" (3 multipliers) */
  readonly multiplier?: Multiplier;
  /** add the `hazard` output (simulation check of the schedule; default false) */
  readonly checkHazards?: boolean;
  /**
   * where the accumulators live: "block" RAM or "distributed" (LUT) RAM; default: the tool's
   * choice by size (block RAM for every PE measured here)
   */
  readonly accStyle?: "block" | "distributed";
  /**
   * the drain keeps the words written in the tile, tracked by the PE (a bit per accumulator word,
   * set by its MAC write, cleared after the drain has read it, all cleared after reset), instead
   * of the `dr_keep` input: for schedules known only at run time (streamed weights); default false
   */
  readonly trackKeep?: boolean;
}

/** Bits of the local output channel field (at least 1). */
export function oLocalBits(oLoc: number): number {
  return Math.max(1, log2Ceil(oLoc));
}

/** Words of one accumulator memory: oLoc x (K/2+1) x K / drainWords. */
export function accDepth(K: number, drainWords: number, oLoc: number): number {
  return (oLoc * halfCols(K) * K) / drainWords;
}

/** Where accumulator word (m, u, v) lives: memory u mod D, address (m*(K/2+1) + v)*(K/D) + u div D. */
export function accLocation(K: number, drainWords: number, m: number, u: number, v: number): { mem: number; addr: number } {
  const per = K / drainWords;
  return { mem: u % drainWords, addr: (m * halfCols(K) + v) * per + Math.floor(u / drainWords) };
}

/** Drain order of one bank: addresses 0..accDepth-1 are (m, v, u div D) in this order (accLocation). */
export function drainAddressFields(K: number, drainWords: number, addr: number): { m: number; v: number; uBase: number } {
  const per = K / drainWords;
  const col = Math.floor(addr / per);
  return { m: Math.floor(col / halfCols(K)), v: col % halfCols(K), uBase: (addr % per) * drainWords };
}

function checkDivisor(name: string, value: number, K: number): void {
  requireParam(Number.isInteger(value) && value >= 1 && K % value === 0, `${name} must divide K = ${K}, got ${value}`);
}

export const Pe = defineModule("Pe", (p: PeParams) => {
  const { K, xBits, weightBits, accBits, oLoc } = p;
  const W = p.xWords ?? K;
  const D = p.drainWords ?? 1;
  checkDivisor("xWords", W, K);
  checkDivisor("drainWords", D, K);
  const { indexBits, vBits } = indexWidths(K);
  const termBits = xBits + weightBits + 1;
  requireParam(accBits >= termBits, `accBits ${accBits} < ${termBits}, the width of one complex product`);
  const oBits = oLocalBits(oLoc);
  // K, W and D are powers of two (W and D divide K): exact bit counts, 0 when the field is empty
  const xBeatBits = Math.log2(K / W);
  const dBits = Math.log2(D);
  const depth = accDepth(K, D, oLoc);
  const addrBits = log2Ceil(depth);

  const issued = Input(Bool());
  const xBank = Input(Bool());
  const accBank = Input(Bool());
  const entry = Input(Bundle({ useful: Bool(), first: Bool(), oLocal: UInt(oBits), index: UInt(indexBits), re: SInt(weightBits), im: SInt(weightBits) }));
  const ld = Input(Bundle({ en: Bool(), bank: Bool(), addr: UInt(vBits + xBeatBits), words: Vec(W, ComplexT(xBits)) }));
  const dr = Input(Bundle({ en: Bool(), bank: Bool(), addr: UInt(addrBits) }));
  // named explicitly: the naming does not see through the conditional
  const dr_keep = p.trackKeep ? undefined : Input(UInt(D), { name: "dr_keep" });
  const dr_words = Output(Vec(D, ComplexT(accBits)));
  const mac = Output(Bool());

  // ---- local copy of the input channel's spectrum: xWords memories, two banks each ----
  const xmem = Array.from({ length: W }, (_, q) => Mem(2 << (vBits + xBeatBits), UInt(2 * xBits), { name: `x${q}`, style: "distributed" }));
  xmem.forEach((m, q) => m.write(cat(ld.bank, ld.addr), pack(ld.words.at(q)), { enable: ld.en }));

  // ---- S1: decode, read X, locate the accumulator word ----
  const dec = IndexDecoder.instance({ K });
  dec.index.assign(entry.index);
  const xAddr = xBeatBits === 0 ? cat(xBank, dec.v) : cat(xBank, dec.v, dec.u.shr(Math.log2(W)).resize(xBeatBits));
  const xRead = xmem.map((m) => m.readSync(xAddr, { enable: issued }));
  const per = K / D;
  const column = mulConst(entry.oLocal, halfCols(K)).add(dec.v); // m*(K/2+1) + v
  const accAddr = (per === 1 ? column : cat(column, dec.u.shr(dBits).resize(Math.log2(per)))).resize(addrBits);
  const s2 = {
    act: RegNext(issued.and(entry.useful), { init: 0 }),
    first: RegNext(entry.first),
    addr: RegNext(accAddr),
    bank: RegNext(accBank),
    dsel: RegNext(D === 1 ? constant(0, UInt(1)) : dec.u.resize(dBits)),
    xsel: RegNext(W === 1 ? constant(0, UInt(1)) : dec.u.resize(Math.log2(W))),
    w: { re: RegNext(entry.re), im: RegNext(entry.im) },
  };

  // ---- S2: the product; read the accumulator word ----
  const xWord = selectTree(xRead, s2.xsel);
  const x: Complex = { re: xWord.bits(2 * xBits - 1, xBits).asSInt(), im: xWord.bits(xBits - 1, 0).asSInt() };
  const prod = complexProduct(x, s2.w, p.multiplier ?? "four");
  const acc = [0, 1].map((b) => Array.from({ length: D }, (_, q) => Mem(depth, UInt(2 * accBits), { name: `acc${b}_${q}`, ...(p.accStyle ? { style: p.accStyle } : {}) })));
  const macRead = s2.act.and(s2.first.not());
  const reads = acc.map((mems, b) =>
    mems.map((m, q) => {
      const mine = macRead.and(s2.bank.eq(b)).and(s2.dsel.eq(q));
      const drained = dr.en.and(dr.bank.eq(b));
      return m.readSync(mux(mine, s2.addr, dr.addr), { enable: mine.or(drained) });
    }),
  );
  const s3 = {
    act: RegNext(s2.act, { init: 0 }),
    first: RegNext(s2.first),
    addr: RegNext(s2.addr),
    bank: RegNext(s2.bank),
    dsel: RegNext(s2.dsel),
    prod: { re: RegNext(prod.re.resize(termBits)), im: RegNext(prod.im.resize(termBits)) },
  };

  // ---- S3: add ----
  const word = selectTree([...reads[0]!, ...reads[1]!], D === 1 ? s3.bank : cat(s3.bank, s3.dsel));
  const old = unpack(mux(s3.first, constant(0, UInt(2 * accBits)), word), accBits);
  const s4 = {
    act: RegNext(s3.act, { init: 0 }),
    addr: RegNext(s3.addr),
    bank: RegNext(s3.bank),
    dsel: RegNext(s3.dsel),
    sum: RegNext(cat(old.re.add(s3.prod.re).resize(accBits).asUInt(), old.im.add(s3.prod.im).resize(accBits).asUInt())),
  };

  // ---- S4: write back ----
  acc.forEach((mems, b) => mems.forEach((m, q) => m.write(s4.addr, s4.sum, { enable: s4.act.and(s4.bank.eq(b)).and(s4.dsel.eq(q)) })));
  mac.assign(s4.act);

  // ---- drain: the words read in the previous cycle, masked ----
  const drBank = RegNext(dr.bank);
  const tracked = p.trackKeep ? trackWrites({ depth, D, s4, dr, drBank }) : undefined;
  const keep = (q: number): Signal => (tracked ? tracked.keep[q]! : dr_keep!.bit(q));
  for (let q = 0; q < D; q++) {
    const w = mux(keep(q), mux(drBank, reads[1]![q]!, reads[0]![q]!), constant(0, UInt(2 * accBits)));
    const c = unpack(w, accBits);
    dr_words.at(q).re.assign(c.re);
    dr_words.at(q).im.assign(c.im);
  }

  const ports = { issued, xBank, accBank, entry, ld, dr, ...(dr_keep ? { dr_keep } : {}), dr_words, mac, ...(tracked ? { cleared: tracked.cleared } : {}) };
  if (!p.checkHazards) return ports;
  // ---- schedule check: an S2 read of a word that S3 or S4 has yet to write ----
  const hazard = Output(Bool());
  const pending = (s: { act: Signal; addr: Signal; bank: Signal; dsel: Signal }): Signal =>
    s.act.and(s.bank.eq(s2.bank)).and(s.dsel.eq(s2.dsel)).and(s.addr.eq(s2.addr));
  hazard.assign(macRead.and(pending(s3).or(pending(s4))));
  return { ...ports, hazard };
});

interface WriteTrackerPorts {
  readonly depth: number;
  readonly D: number;
  readonly s4: { act: Signal; addr: Signal; bank: Signal; dsel: Signal };
  readonly dr: { en: Signal; bank: Signal; addr: Signal };
  readonly drBank: Signal;
}

/**
 * trackKeep: per bank and drained memory a bit per word (LUT RAM), set by the S4 write, read with
 * the drain (the keep of dr_words) and cleared on the clock after; after reset a sweep clears
 * every bit (`cleared` rises after `depth` clocks; the array issues nothing before). The set and
 * the clears of a bank never meet: a bank is drained only with no MAC of it in flight.
 */
function trackWrites(t: WriteTrackerPorts): { keep: Signal[]; cleared: Var } {
  const addrBits = log2Ceil(t.depth);
  const sweep = Reg(UInt(log2Ceil(t.depth + 1)), { init: 0, name: "keep_sweep" });
  const sweeping = sweep.lt(t.depth);
  when(sweeping, () => sweep.assign(sweep.addWrap(1)));
  const cleared = Output(Bool());
  cleared.assign(sweeping.not());
  const read = { en: RegNext(t.dr.en, { init: 0 }), bank: t.drBank, addr: RegNext(t.dr.addr) };
  const bits = [0, 1].map((b) =>
    Array.from({ length: t.D }, (_, q) => {
      const m = Mem(t.depth, Bool(), { name: `touched${b}_${q}`, style: "distributed" });
      const set = t.s4.act.and(t.s4.bank.eq(b)).and(t.s4.dsel.eq(q));
      const clear = sweeping.or(read.en.and(read.bank.eq(b)));
      const addr = mux(set, t.s4.addr, mux(sweeping, sweep.resize(addrBits), read.addr));
      m.write(addr, set, { enable: set.or(clear) });
      return m.readSync(t.dr.addr, { enable: t.dr.en.and(t.dr.bank.eq(b)) });
    }),
  );
  return { keep: Array.from({ length: t.D }, (_, q) => mux(t.drBank, bits[1]![q]!, bits[0]![q]!)), cleared };
}

/** {re, im} packed as one UInt word, re in the high half. */
function pack(c: { re: Signal; im: Signal }): Signal {
  return cat(c.re.asUInt(), c.im.asUInt());
}

function unpack(w: Signal, bits: number): Complex {
  return { re: w.bits(2 * bits - 1, bits).asSInt(), im: w.bits(bits - 1, 0).asSInt() };
}

/** The VGG16-class PE: K = 8, 16-bit data and weights, accumulators for 16 output channels. */
export const VGG16_CLASS_PE: PeParams = { K: 8, xBits: 16, weightBits: 16, accBits: 42, oLoc: 16, xWords: 1, drainWords: 1 };

if (isMain(import.meta.url)) printVerilog(Pe, VGG16_CLASS_PE);
