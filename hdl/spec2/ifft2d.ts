/**
 * Ifft2d { K, dataBits = ifftBits (16 + 2 log2 K), twiddleFrac = 14 }: the complex-to-real
 * inverse 2D FFT of a half-plane spectrum, bit-exact with ifft2dFixed (spectral/README.md).
 *
 *   in_col (K words u = 0..K-1 of column v), columns v = 0..K/2 in order
 *     -> column inverse Fft1d over u: G[r][v], r = 0..K-1
 *     -> transpose buffer (two banks of K x (K/2+1) complex registers; the imaginary parts
 *        of columns 0 and K/2 are not stored, they are replaced by 0)
 *     -> per row r the Hermitian rebuild of ifft2dFixed: G[0] = (re, 0), G[K/2] = (re, 0),
 *        G[v] as stored and G[K-v] = (re, saturate(-im, dataBits)) for 1 <= v < K/2
 *     -> row inverse Fft1d over v; the real parts are out_row (K words), rows r = 0..K-1,
 *        out_r, out_last with r = K-1.
 *
 * Both 1D inverse FFTs scale by 1/2 per stage (fft1d.ts), so the output is the normalised
 * IDFT2 in dataBits words.
 *
 * Flow: as in Fft2dForward (fft2d.ts) with the roles of rows and columns exchanged. Block n
 * goes to bank n mod 2; a full bank is read one row per clock (K cycles), banks in block
 * order. A block may start (its column 0 accepted) while fewer than two blocks hold a bank;
 * the bank of a block being read is handed back while reading row cRel = max(0, K - L - 2),
 * since a column accepted after that is written L cycles later, not before the last row has
 * been read. in_ready = (a block is in progress) or (fewer than 2 blocks hold a bank).
 *
 * Timing: with the unit idle, row 0 of a block comes out ifft2dLatency(K) cycles after its
 * last column (v = K/2) was accepted; rows follow on consecutive cycles. Back to back a block
 * takes K cycles (K/2+1 columns in, K rows out): the input is stalled the rest of the time.
 *
 * Cost: two inverse Fft1d, 2 x K x (K/2+1) complex registers of transpose buffer (less the
 * dropped imaginary parts) and a 2K:1 row mux per column. K = 8, 22 bits, Yosys
 * synth_xilinx (xc7): 6988 LUT, 4499 FF, 8 DSP48E1.
 */
import { Bool, Input, Output, Reg, SInt, UInt, Vec, constant, defineModule, isMain, log2Ceil, mux, printVerilog, when, type Signal } from "../core";
import { Fft1d, fft1dLatency } from "./fft1d";
import { ComplexT, saturate, type Complex } from "./fixed";
import { delay, selectBy } from "./transpose";

export interface Ifft2dParams {
  /** FFT size, a power of two >= 4 */
  readonly K: number;
  /** data word (ifftBits), default 16 + 2 log2 K */
  readonly dataBits?: number;
  /** twiddle fraction bits, default 14 */
  readonly twiddleFrac?: number;
}

/** Cycles from the acceptance of a block's last column to its row r = 0 at the output (unit idle). */
export function ifft2dLatency(K: number): number {
  return 2 * fft1dLatency(K) + 1;
}

/** Clock cycles per block when blocks come back to back (K rows out). */
export function ifft2dCyclesPerBlock(K: number): number {
  return K;
}

export const Ifft2d = defineModule("Ifft2d", (p: Ifft2dParams) => {
  const { K } = p;
  if (!Number.isInteger(K) || K < 4 || (K & (K - 1)) !== 0) throw new RangeError(`Ifft2d: K must be a power of two >= 4, got ${K}`);
  const n = p.dataBits ?? 16 + 2 * Math.log2(K);
  const F = p.twiddleFrac ?? 14;
  const C = K / 2 + 1;
  const L = fft1dLatency(K);
  const cRel = Math.max(0, K - L - 2);

  const inValid = Input(Bool(), { name: "in_valid" });
  const inReady = Output(Bool(), { name: "in_ready" });
  const inCol = Input(Vec(K, ComplexT(n)), { name: "in_col" });
  const outValid = Output(Bool(), { name: "out_valid" });
  const outR = Output(UInt(log2Ceil(K)), { name: "out_r" });
  const outLast = Output(Bool(), { name: "out_last" });
  const outRow = Output(Vec(K, SInt(n)), { name: "out_row" });

  // ---- input side ----
  const inColIdx = Reg(UInt(log2Ceil(C)), { init: 0, name: "in_col_index" });
  const occupied = Reg(UInt(2), { init: 0 }); // blocks started and not yet handed back
  const accept = inValid.and(inReady);
  inReady.assign(inColIdx.neq(0).or(occupied.neq(2)));
  when(accept, () => inColIdx.assign(mux(inColIdx.eq(C - 1), 0, inColIdx.addWrap(1))));

  // ---- column inverse FFT over u ----
  const colFft = Fft1d.instance({ K, dataBits: n, twiddleFrac: F, inverse: true });
  colFft.inValid.assign(accept);
  for (let u = 0; u < K; u++) {
    colFft.inData.at(u).re.assign(inCol.at(u).re);
    colFft.inData.at(u).im.assign(inCol.at(u).im);
  }

  // ---- transpose buffer: bank b, row r, column v (written a column at a time) ----
  const wBank = Reg(Bool(), { init: 0, name: "write_bank" });
  const wCol = Reg(UInt(log2Ceil(C)), { init: 0, name: "write_col" });
  const full = [Reg(Bool(), { init: 0, name: "full0" }), Reg(Bool(), { init: 0, name: "full1" })];
  const buf: Complex[][][] = [0, 1].map((b) =>
    Array.from({ length: K }, (_, r) =>
      Array.from({ length: C }, (_, v) => {
        const we = colFft.outValid.and(wBank.eq(b)).and(wCol.eq(v));
        const re = Reg(SInt(n), { enable: we, name: `bank${b}_r${r}_v${v}_re` });
        re.assign(colFft.outData.at(r).re);
        // imaginary parts of G[0] and G[K/2] are ignored (taken as 0): not stored
        if (v === 0 || v === K / 2) return { re, im: constant0(n) };
        const im = Reg(SInt(n), { enable: we, name: `bank${b}_r${r}_v${v}_im` });
        im.assign(colFft.outData.at(r).im);
        return { re, im };
      }),
    ),
  );
  const lastWrite = colFft.outValid.and(wCol.eq(C - 1));

  // ---- read side: one row per clock from the full bank, in block order ----
  const rBank = Reg(Bool(), { init: 0, name: "read_bank" });
  const rRow = Reg(UInt(log2Ceil(K)), { init: 0, name: "read_row" });
  const reading = mux(rBank, full[1]!, full[0]!).named("reading");
  const lastRow = rRow.eq(K - 1);
  when(reading, () => {
    rRow.assign(rRow.addWrap(1)); // K is a power of two: wraps to 0 after K-1
    when(lastRow, () => {
      rBank.assign(rBank.not());
      when(rBank, () => full[1]!.assign(0)).otherwise(() => full[0]!.assign(0));
    });
  });
  // after the read side: a bank emptied and refilled on the same edge ends up full
  when(colFft.outValid, () => wCol.assign(mux(lastWrite, 0, wCol.addWrap(1))));
  when(lastWrite, () => {
    wBank.assign(wBank.not());
    when(wBank, () => full[1]!.assign(1)).otherwise(() => full[0]!.assign(1));
  });

  const release = reading.and(rRow.eq(cRel));
  const start = accept.and(inColIdx.eq(0));
  occupied.assign(occupied.add(start.zext(2)).subWrap(release.zext(3)).resize(2));

  // ---- Hermitian rebuild of row rRow and the row inverse FFT ----
  const g: Complex[] = Array.from({ length: C }, (_, v) => {
    const pick = (part: "re" | "im"): Signal =>
      mux(rBank, selectBy(rRow, buf[1]!.map((row) => row[v]![part])), selectBy(rRow, buf[0]!.map((row) => row[v]![part])));
    return { re: pick("re"), im: v === 0 || v === K / 2 ? constant0(n) : pick("im") };
  });
  const rowFft = Fft1d.instance({ K, dataBits: n, twiddleFrac: F, inverse: true });
  rowFft.inValid.assign(reading);
  for (let v = 0; v < K; v++) {
    const x = v < C ? g[v]! : { re: g[K - v]!.re, im: saturate(g[K - v]!.im.neg(), n) };
    rowFft.inData.at(v).re.assign(x.re);
    rowFft.inData.at(v).im.assign(x.im);
  }

  outValid.assign(rowFft.outValid);
  outR.assign(delay(rRow, L, "row_index", 0));
  outLast.assign(delay(lastRow, L, "row_last", 0));
  for (let c = 0; c < K; c++) outRow.at(c).assign(rowFft.outData.at(c).re);
  return { inValid, inReady, inCol, outValid, outR, outLast, outRow };
});

/** A 0 of the data word's type (the dropped imaginary parts). */
function constant0(n: number): Signal {
  return constant(0, SInt(n));
}

if (isMain(import.meta.url)) printVerilog(Ifft2d, { K: 8 });
