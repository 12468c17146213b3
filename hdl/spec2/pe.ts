/**
 * One SPEC2 processing element (SPEC2.md section 4): a local double-buffered copy of the current
 * input channel's spectrum, one exact complex MAC per clock into an accumulator RAM indexed by
 * (local output channel, spectral position), double-buffered accumulators for overlapping the
 * drain of one tile with the MACs of the next.
 *
 * Pipeline (the array's controller issues ROM address a in cycle c, the KernelRom answers in c+1):
 *   S1 (c+1): entry {useful, oLocal, index, re, im} from the ROM; IndexDecoder: index -> (u, v);
 *             synchronous read of column v of the X bank `xBank` (one word = a whole column).
 *   S2 (c+2): select X[u] from the column; exact complex product X[u] * (re + j im), registered.
 *   S3 (c+3): acc[accBank][u][(oLocal, v)] += product: an asynchronous read (LUT RAM), the add
 *             and the write complete in this one cycle, so the next cycle's read of any address
 *             already sees the sum: there is no read-modify-write hazard, whatever the order of
 *             the entries (repeated indices back to back, across output or input channels).
 *
 * Storage (per PE):
 *   X:   Mem(2 * 2^vBits words, K complex xBits-bit values each); address cat(bank, v).
 *   acc: 2 banks x K rows u x {re, im}: Mem(oLoc * 2^vBits, SInt(accBits)), address
 *        cat(oLocal, v); a row per u so the drain reads a whole column (all u) in one cycle.
 *        Each memory has one address, shared by its read and write: the MAC's RMW address while
 *        its bank accumulates, else the sweep's or the drain's address (the drain reads the
 *        column and clears it in one cycle). Contract: a bank is never drained, cleared or
 *        inspected through dr_* (nor swept) in a cycle where a MAC reaches S3 in it; the array's
 *        bank protocol guarantees this (if it were broken, the MAC would win: its row written,
 *        the other rows of that bank left alone, dr_col showing the MAC's address). Write
 *        address and data are per bank, so the memories map to single-port LUT RAM.
 *
 * Cost (Yosys synth_xilinx, xc7; K = 8, oLoc = 4, accBits = 35): 1416 LUT + 203 RAM32M (812 LUTs
 * of LUT RAM), 309 FF, 4 DSP48E1, no block RAM. Measured alternatives: a write address and data
 * mux per row instead of per bank, 2473 LUT; a separate drain read address on every
 * accumulator memory (multi-port LUT RAM), 427 RAM32M.
 *
 * Ports:
 *   issued, xBank, accBank          S1 control from the array (an entry is on entry_*)
 *   entry_{useful,oLocal,index,re,im}  the KernelRom's output
 *   ld_{en,bank,v,col}              broadcast write of column v of an input channel's spectrum
 *   dr_{en,bank,addr} -> dr_col     drain: column (all u) at address addr of bank `bank`
 *                                   (asynchronous read), cleared to 0 at the clock edge when en;
 *                                   valid while no MAC reaches S3 in that bank
 *   sw_{en,addr}                    reset sweep: clear address addr of both banks
 *   mac                             a useful MAC is accumulated this cycle (S3)
 */
import { Bool, Bundle, Input, Mem, Output, RegNext, SInt, UInt, Vec, cat, constant, defineModule, log2Ceil, mux, type Signal } from "../core";
import { ComplexT, complexMul } from "./fixed";
import { IndexDecoder, indexWidths } from "./index-decoder";

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
}

/** Bits of the local output channel field (at least 1). */
export function oLocalBits(oLoc: number): number {
  return Math.max(1, Math.ceil(Math.log2(oLoc)));
}

/** Accumulator RAM geometry: address cat(oLocal, v) (just v when oLoc = 1). */
export function accGeometry(K: number, oLoc: number): { depth: number; addrBits: number } {
  const { vBits } = indexWidths(K);
  const depth = oLoc << vBits;
  return { depth, addrBits: log2Ceil(depth) };
}

/** The accumulator address of (oLocal, v). */
export function accAddress(oLocal: Signal, v: Signal, oLoc: number, addrBits: number): Signal {
  return (oLoc === 1 ? v : cat(oLocal, v)).resize(addrBits);
}

/** values[idx] as a balanced mux tree on the bits of idx (idx < values.length assumed). */
export function selectTree(values: readonly Signal[], idx: Signal): Signal {
  let level = values;
  let bit = 0;
  while (level.length > 1) {
    const next: Signal[] = [];
    for (let j = 0; j + 1 < level.length; j += 2) next.push(mux(idx.bit(bit), level[j + 1]!, level[j]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
    bit++;
  }
  return level[0]!;
}

export const Pe = defineModule("Pe", (p: PeParams) => {
  const { K, xBits, weightBits, accBits, oLoc } = p;
  const { indexBits, vBits } = indexWidths(K);
  const oBits = oLocalBits(oLoc);
  const acc = accGeometry(K, oLoc);
  const termBits = xBits + weightBits + 1;
  if (accBits < termBits) throw new RangeError(`Pe: accBits ${accBits} < ${termBits}, the width of one complex product`);

  const issued = Input(Bool());
  const xBank = Input(Bool());
  const accBank = Input(Bool());
  const entry = Input(Bundle({ useful: Bool(), oLocal: UInt(oBits), index: UInt(indexBits), re: SInt(weightBits), im: SInt(weightBits) }));
  const ld = Input(Bundle({ en: Bool(), bank: Bool(), v: UInt(vBits), col: Vec(K, ComplexT(xBits)) }));
  const dr = Input(Bundle({ en: Bool(), bank: Bool(), addr: UInt(acc.addrBits) }));
  const dr_col = Output(Vec(K, ComplexT(accBits)));
  const sw = Input(Bundle({ en: Bool(), addr: UInt(acc.addrBits) }));
  const mac = Output(Bool());

  // ---- local copy of the input channel's spectrum, two banks, a column per word ----
  const xmem = Mem(2 << vBits, UInt(2 * K * xBits));
  const packed = cat(...[...ld.col].reverse().flatMap((c) => [c.re.asUInt(), c.im.asUInt()]));
  xmem.write(cat(ld.bank, ld.v), packed, { enable: ld.en });

  // ---- S1: decode, read the column ----
  const dec = IndexDecoder.instance({ K });
  dec.index.assign(entry.index);
  const column = xmem.readSync(cat(xBank, dec.v), { enable: issued });
  const s2Act = RegNext(issued.and(entry.useful), { init: 0 });
  const s2U = RegNext(dec.u);
  const s2Addr = RegNext(accAddress(entry.oLocal, dec.v, oLoc, acc.addrBits));
  const s2Bank = RegNext(accBank);
  const s2Wre = RegNext(entry.re);
  const s2Wim = RegNext(entry.im);

  // ---- S2: select X[u], exact complex product ----
  const xs = Array.from({ length: K }, (_, u) => ({
    re: column.bits(2 * xBits * u + 2 * xBits - 1, 2 * xBits * u + xBits).asSInt(),
    im: column.bits(2 * xBits * u + xBits - 1, 2 * xBits * u).asSInt(),
  }));
  const xRe = selectTree(xs.map((x) => x.re), s2U);
  const xIm = selectTree(xs.map((x) => x.im), s2U);
  const prod = complexMul({ re: xRe, im: xIm }, { re: s2Wre, im: s2Wim });
  const s3Act = RegNext(s2Act, { init: 0 });
  const s3U = RegNext(s2U);
  const s3Addr = RegNext(s2Addr);
  const s3Bank = RegNext(s2Bank);
  const s3Pre = RegNext(prod.re.resize(termBits));
  const s3Pim = RegNext(prod.im.resize(termBits));

  // ---- S3: single-cycle read-add-write of the accumulator ----
  const zero = constant(0, SInt(accBits));
  const banks = [0, 1].map((b) =>
    Array.from({ length: K }, (_, u) => ({
      re: Mem(acc.depth, SInt(accBits), { name: `acc${b}_re_${u}` }),
      im: Mem(acc.depth, SInt(accBits), { name: `acc${b}_im_${u}` }),
    })),
  );
  // the word being accumulated: (bank s3Bank, row s3U) at s3Addr
  // One address per bank, for its read and its write port: a bank is either accumulating (the
  // RMW address s3Addr), or being drained/cleared (dr.addr), or swept (sw.addr), never two of
  // these in one cycle (the array's bank protocol). So each accumulator memory has a single
  // address (single-port LUT RAM, 8 bits per RAM32M instead of 3 with separate read addresses).
  const clearAddr = mux(sw.en, sw.addr, dr.addr);
  const macBank = [s3Act.and(s3Bank.not()), s3Act.and(s3Bank)];
  const bankAddr = macBank.map((m) => mux(m, s3Addr, clearAddr));
  const reads = banks.map((rows, b) => rows.map((row) => ({ re: row.re.readAsync(bankAddr[b]!), im: row.im.readAsync(bankAddr[b]!) })));
  // the word being accumulated: (bank s3Bank, row s3U) at s3Addr
  const sel = cat(s3Bank, s3U);
  const sumRe = selectTree([...reads[0]!, ...reads[1]!].map((r) => r.re), sel).add(s3Pre).resize(accBits);
  const sumIm = selectTree([...reads[0]!, ...reads[1]!].map((r) => r.im), sel).add(s3Pim).resize(accBits);
  banks.forEach((rows, b) => {
    const clear = dr.en.and(b === 1 ? dr.bank : dr.bank.not()).or(sw.en);
    const dataRe = mux(macBank[b]!, sumRe, zero);
    const dataIm = mux(macBank[b]!, sumIm, zero);
    rows.forEach((row, u) => {
      const en = mux(macBank[b]!, s3U.eq(u), clear);
      row.re.write(bankAddr[b]!, dataRe, { enable: en });
      row.im.write(bankAddr[b]!, dataIm, { enable: en });
    });
  });
  // ---- drain read: the bank being drained is addressed by dr.addr ----
  for (let u = 0; u < K; u++) {
    dr_col.at(u).re.assign(mux(dr.bank, reads[1]![u]!.re, reads[0]![u]!.re));
    dr_col.at(u).im.assign(mux(dr.bank, reads[1]![u]!.im, reads[0]![u]!.im));
  }
  mac.assign(s3Act);
  return { issued, xBank, accBank, entry, ld, dr, dr_col, sw, mac };
});
