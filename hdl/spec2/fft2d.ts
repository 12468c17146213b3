/**
 * Fft2dForward { K, T, dataBits = 16, twiddleFrac = 14 }: the forward 2D FFT of a real T x T
 * tile zero-padded to K x K, half-plane output, bit-exact with fft2dForwardFixed.
 *
 *   in_row (T words, one row per transfer, rows 0..T-1)
 *     -> row Fft1d (imaginary input 0, columns T..K-1 zero; keep v = 0..K/2)
 *     -> transpose buffer (two banks of T x (K/2+1) complex registers)
 *     -> column Fft1d over u (rows T..K-1 are zero: their row FFT is zero and is not run)
 *     -> out_col (K words u = 0..K-1 of column v), v = 0..K/2, out_v, out_last with v = K/2.
 *
 * Both 1D FFTs scale by 1/2 per stage (fft1d.ts), so the output is DFT2 / K^2 in dataBits words.
 *
 * Flow: the row FFT and the column FFT are free-running pipelines of fft1dLatency(K) = L
 * cycles. The rows of tile n go to bank n mod 2; when its T rows are written the bank is full
 * and is read one column per clock (K/2+1 cycles) into the column FFT, banks in tile order.
 * A tile may start (its row 0 accepted) only while fewer than two tiles hold a bank; the bank
 * of a tile being read is handed back early, while reading column cRel = max(0, K/2 - L - 1),
 * because a row accepted after that is written L cycles later, never before the last column
 * has been read (the write and that read may share a clock edge). Rows 1..T-1 of a started
 * tile are always accepted. So in_ready = (a tile is in progress) or (fewer than 2 tiles hold
 * a bank); it depends on registers only.
 *
 * Timing: with the unit idle, column v = 0 of a tile comes out fft2dForwardLatency(K) cycles
 * after its last row was accepted, and the columns follow on consecutive cycles. Back to back,
 * a tile takes max(T, K/2 + 1) cycles (checked in test/spec2/fft2d.test.ts).
 *
 * Cost: two Fft1d (K/2 butterflies per stage; constant twiddles, axis ones without
 * multipliers), 2 x T x (K/2+1) complex registers of transpose buffer, and a 2(K/2+1):1
 * column mux per row. K = 8, T = 4, 16 bits, Yosys synth_xilinx (xc7): 3869 LUT, 2207 FF,
 * 7 DSP48E1.
 */
import { Bool, Input, Output, Reg, SInt, UInt, Vec, defineModule, isMain, log2Ceil, mux, printVerilog, when, type Signal } from "../core";
import { Fft1d, fft1dLatency } from "./fft1d";
import { ComplexT, type Complex } from "./fixed";
import { selectIndex, ShiftRegister } from "../lib";

export interface Fft2dForwardParams {
  /** FFT size, a power of two >= 4 */
  readonly K: number;
  /** tile size, 1 <= T <= K */
  readonly T: number;
  /** data word (fftBits), default 16 */
  readonly dataBits?: number;
  /** twiddle fraction bits, default 14 */
  readonly twiddleFrac?: number;
}

/** Cycles from the acceptance of a tile's last row to its column v = 0 at the output (unit idle). */
export function fft2dForwardLatency(K: number): number {
  return 2 * fft1dLatency(K) + 1;
}

/** Clock cycles per tile when tiles come back to back: input T rows, output K/2 + 1 columns. */
export function fft2dForwardCyclesPerTile(K: number, T: number): number {
  return Math.max(T, K / 2 + 1);
}

export const Fft2dForward = defineModule("Fft2dForward", (p: Fft2dForwardParams) => {
  const { K, T } = p;
  const n = p.dataBits ?? 16;
  const F = p.twiddleFrac ?? 14;
  if (!Number.isInteger(K) || K < 4 || (K & (K - 1)) !== 0) throw new RangeError(`Fft2dForward: K must be a power of two >= 4, got ${K}`);
  if (!Number.isInteger(T) || T < 1 || T > K) throw new RangeError(`Fft2dForward: T must be in 1..K, got ${T}`);
  const C = K / 2 + 1;
  const L = fft1dLatency(K);
  const cRel = Math.max(0, K / 2 - L - 1);

  const inValid = Input(Bool(), { name: "in_valid" });
  const inReady = Output(Bool(), { name: "in_ready" });
  const inRow = Input(Vec(T, SInt(n)), { name: "in_row" });
  const outValid = Output(Bool(), { name: "out_valid" });
  const outV = Output(UInt(log2Ceil(C)), { name: "out_v" });
  const outLast = Output(Bool(), { name: "out_last" });
  const outCol = Output(Vec(K, ComplexT(n)), { name: "out_col" });

  // ---- input side: row counter and bank occupancy ----
  const inRowIdx = Reg(UInt(log2Ceil(T)), { init: 0, name: "in_row_index" });
  const occupied = Reg(UInt(2), { init: 0 }); // tiles started and not yet handed back
  const accept = inValid.and(inReady);
  inReady.assign(inRowIdx.neq(0).or(occupied.neq(2)));
  if (T > 1) when(accept, () => inRowIdx.assign(mux(inRowIdx.eq(T - 1), 0, inRowIdx.addWrap(1))));
  else inRowIdx.assign(0);

  // ---- row FFT: real row, zero-padded ----
  const rowFft = Fft1d.instance({ K, dataBits: n, twiddleFrac: F, inverse: false });
  rowFft.inValid.assign(accept);
  for (let c = 0; c < K; c++) {
    rowFft.inData.at(c).re.assign(c < T ? inRow.at(c) : 0);
    rowFft.inData.at(c).im.assign(0);
  }

  // ---- transpose buffer: bank b, row r, column v ----
  const wBank = Reg(Bool(), { init: 0, name: "write_bank" });
  const wRow = Reg(UInt(log2Ceil(T)), { init: 0, name: "write_row" });
  const full = [Reg(Bool(), { init: 0, name: "full0" }), Reg(Bool(), { init: 0, name: "full1" })];
  const buf: Complex[][][] = [0, 1].map((b) =>
    Array.from({ length: T }, (_, r) => {
      const we = rowFft.outValid.and(wBank.eq(b)).and(wRow.eq(r));
      return Array.from({ length: C }, (_, v) => {
        const q = Reg(ComplexT(n), { enable: we, name: `bank${b}_r${r}_v${v}` });
        q.re.assign(rowFft.outData.at(v).re);
        q.im.assign(rowFft.outData.at(v).im);
        return q;
      });
    }),
  );
  const lastWrite = rowFft.outValid.and(wRow.eq(T - 1));

  // ---- read side: one column per clock from the full bank, in tile order ----
  const rBank = Reg(Bool(), { init: 0, name: "read_bank" });
  const rCol = Reg(UInt(log2Ceil(C)), { init: 0, name: "read_col" });
  const reading = mux(rBank, full[1]!, full[0]!).named("reading");
  const lastCol = rCol.eq(C - 1);
  when(reading, () => {
    rCol.assign(mux(lastCol, 0, rCol.addWrap(1)));
    when(lastCol, () => {
      rBank.assign(rBank.not());
      when(rBank, () => full[1]!.assign(0)).otherwise(() => full[0]!.assign(0));
    });
  });
  // after the read side: a bank emptied and refilled on the same edge ends up full
  when(rowFft.outValid, () => {
    if (T > 1) wRow.assign(mux(lastWrite, 0, wRow.addWrap(1)));
    else wRow.assign(0);
  });
  when(lastWrite, () => {
    wBank.assign(wBank.not());
    when(wBank, () => full[1]!.assign(1)).otherwise(() => full[0]!.assign(1));
  });

  const release = reading.and(rCol.eq(cRel));
  const start = accept.and(inRowIdx.eq(0));
  occupied.assign(occupied.add(start.zext(2)).subWrap(release.zext(3)).resize(2));

  // ---- column FFT over u ----
  const colFft = Fft1d.instance({ K, dataBits: n, twiddleFrac: F, inverse: false });
  colFft.inValid.assign(reading);
  for (let u = 0; u < K; u++) {
    if (u < T) {
      const pick = (part: "re" | "im"): Signal =>
        mux(rBank, selectIndex(rCol, buf[1]![u]!.map((c) => c[part])), selectIndex(rCol, buf[0]![u]!.map((c) => c[part])));
      colFft.inData.at(u).re.assign(pick("re"));
      colFft.inData.at(u).im.assign(pick("im"));
    } else {
      colFft.inData.at(u).re.assign(0);
      colFft.inData.at(u).im.assign(0);
    }
  }

  outValid.assign(colFft.outValid);
  outV.assign(ShiftRegister(rCol, L, { init: 0, name: "col_index" }));
  outLast.assign(ShiftRegister(lastCol, L, { init: 0, name: "col_last" }));
  for (let u = 0; u < K; u++) {
    outCol.at(u).re.assign(colFft.outData.at(u).re);
    outCol.at(u).im.assign(colFft.outData.at(u).im);
  }
  return { inValid, inReady, inRow, outValid, outV, outLast, outCol };
});

if (isMain(import.meta.url)) printVerilog(Fft2dForward, { K: 8, T: 4, dataBits: 16, twiddleFrac: 14 });
