/**
 * Ifft2d { K, dataBits = ifftBits (16 + 2 log2 K), twiddleFrac = 14 }: the complex-to-real
 * inverse 2D FFT of a half-plane spectrum, bit-exact with ifft2dFixed (spectral/README.md),
 * two real output rows per complex row transform.
 *
 * Ports: in_valid, in_ready (always 1, see Flow), in_col: Vec(K, ComplexT(dataBits)); out_valid,
 * out_pair: UInt(log2(K/2)), out_last, out_rows: Vec(2, Vec(K, SInt(dataBits))). No back-pressure
 * on the output.
 *
 *   in_col (K words u = 0..K-1 of column v), columns v = 0..K/2 in order
 *     -> column inverse Fft1d over u: G[r][v], r = 0..K-1
 *     -> row-pair combine (combineRowPair below): for each pair j, rows A = G[2j] and B = G[2j+1]
 *        rebuilt Hermitian as in ifft2dFixed, Z_j[v] = (sat(A.re - B.im), sat(A.im + B.re));
 *        column v gives Z_j[v] and, for 1 <= v < K/2, Z_j[K-v]
 *     -> transpose buffer (two banks of K/2 x K complex registers: Z_j[0..K-1] per pair)
 *     -> row inverse Fft1d of Z_j; its real parts are row 2j (out_rows[0]), its imaginary parts
 *        row 2j+1 (out_rows[1]); pairs j = 0..K/2-1 in order, out_pair = j, out_last with j = K/2-1.
 *
 * Both 1D inverse FFTs scale by 1/2 per stage (fft1d.ts), so the output is the normalised
 * IDFT2 in dataBits words. The buffer holds the row transform's inputs, so the combine sits
 * between the column FFT's output registers and the banks, and the read side is a plain mux.
 *
 * Flow: block n goes to bank n mod 2 and is read one pair per clock (K/2 cycles) from the cycle
 * after its last column is written; by then the previous block's read has ended (it took K/2
 * cycles and began at least K/2 + 1 cycles earlier). The input never has to wait: column 0 of
 * block n+2 comes at least K/2 + 2 cycles after the last column of block n (block n+1 has
 * K/2 + 1 columns in between) and reaches bank n mod 2 L = fft1dLatency(K) cycles later, while
 * the last pair of block n is read L + K/2 cycles after that column. So in_ready is always
 * high; it stays in the interface so that a producer keeps its handshake.
 *
 * Timing: with the unit idle, pair 0 of a block comes out ifft2dLatency(K) = 2L + 1 cycles after
 * its last column (v = K/2) was accepted; pairs follow on consecutive cycles. Back to back a block
 * takes ifft2dCyclesPerBlock(K) = K/2 + 1 cycles (set by the input; the output rests one cycle
 * per block) and the input never stalls. Checked in test/spec2/ifft2d.test.ts.
 *
 * Cost: two inverse Fft1d, 2 x K/2 x K complex registers of transpose buffer, the row-pair
 * combine (4 add-and-saturate per pair) and a K:1 pair mux per row-FFT input. K = 8, 22 bits,
 * native Yosys 0.23 synth_xilinx (xc7): 9530 LUT, 0 LUT-RAM, 4952 FF, 8 DSP48E1. The unit with one
 * real row per row transform (K cycles per block) measured 7019 LUT, 0 LUT-RAM, 4499 FF, 8 DSP48E1
 * in the same run: its row FFT's imaginary outputs were unused and Yosys removed their logic.
 */
import { Bool, Input, Output, Reg, SInt, UInt, Vec, defineModule, isMain, log2Ceil, mux, printVerilog, when, type Signal } from "../core";
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

/** Cycles from the acceptance of a block's last column to its pair j = 0 at the output (unit idle). */
export function ifft2dLatency(K: number): number {
  return 2 * fft1dLatency(K) + 1;
}

/** Clock cycles per block when blocks come back to back: K/2 + 1 columns in (K/2 pairs out). */
export function ifft2dCyclesPerBlock(K: number): number {
  return K / 2 + 1;
}

/** Output beats (cycles with out_valid) per block: one per row pair. */
export function ifft2dRowBeatsPerBlock(K: number): number {
  return K / 2;
}

export const Ifft2d = defineModule("Ifft2d", (p: Ifft2dParams) => {
  const { K } = p;
  if (!Number.isInteger(K) || K < 4 || (K & (K - 1)) !== 0) throw new RangeError(`Ifft2d: K must be a power of two >= 4, got ${K}`);
  const n = p.dataBits ?? 16 + 2 * Math.log2(K);
  const F = p.twiddleFrac ?? 14;
  const C = K / 2 + 1;
  const P = ifft2dRowBeatsPerBlock(K);
  const L = fft1dLatency(K);

  const inValid = Input(Bool(), { name: "in_valid" });
  const inReady = Output(Bool(), { name: "in_ready" });
  const inCol = Input(Vec(K, ComplexT(n)), { name: "in_col" });
  const outValid = Output(Bool(), { name: "out_valid" });
  const outPair = Output(UInt(log2Ceil(P)), { name: "out_pair" });
  const outLast = Output(Bool(), { name: "out_last" });
  const outRows = Output(Vec(2, Vec(K, SInt(n))), { name: "out_rows" });

  // ---- column inverse FFT over u (never stalls: see Flow above) ----
  inReady.assign(1);
  const colFft = Fft1d.instance({ K, dataBits: n, twiddleFrac: F, inverse: true });
  colFft.inValid.assign(inValid);
  for (let u = 0; u < K; u++) {
    colFft.inData.at(u).re.assign(inCol.at(u).re);
    colFft.inData.at(u).im.assign(inCol.at(u).im);
  }

  // ---- row-pair combine: Z_j[v] and Z_j[K-v] of the column being written ----
  const colOut = [...colFft.outData];
  const pairs = Array.from({ length: P }, (_, j) => combineRowPair(colOut[2 * j]!, colOut[2 * j + 1]!, n));

  // ---- transpose buffer: bank b, pair j, row-FFT input w (column v writes w = v and w = K-v) ----
  const wBank = Reg(Bool(), { init: 0, name: "write_bank" });
  const wCol = Reg(UInt(log2Ceil(C)), { init: 0, name: "write_col" });
  const full = [Reg(Bool(), { init: 0, name: "full0" }), Reg(Bool(), { init: 0, name: "full1" })];
  const buf: Complex[][][] = [0, 1].map((b) =>
    pairs.map((z, j) =>
      Array.from({ length: K }, (_, w) => {
        const v = w <= K / 2 ? w : K - w;
        const source = w === 0 || w === K / 2 ? z.selfConjugate : w < K / 2 ? z.low : z.high;
        const q = Reg(ComplexT(n), { enable: colFft.outValid.and(wBank.eq(b)).and(wCol.eq(v)), name: `bank${b}_p${j}_w${w}` });
        q.re.assign(source.re);
        q.im.assign(source.im);
        return q;
      }),
    ),
  );
  const lastWrite = colFft.outValid.and(wCol.eq(C - 1));

  // ---- read side: one pair per clock from the full bank, in block order ----
  const rBank = Reg(Bool(), { init: 0, name: "read_bank" });
  const rPair = Reg(UInt(log2Ceil(P)), { init: 0, name: "read_pair" });
  const reading = mux(rBank, full[1]!, full[0]!).named("reading");
  const lastPair = rPair.eq(P - 1);
  when(reading, () => {
    rPair.assign(rPair.addWrap(1)); // K/2 is a power of two: wraps to 0 after K/2-1
    when(lastPair, () => {
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

  // ---- row inverse FFT of Z_j: real part row 2j, imaginary part row 2j+1 ----
  const rowFft = Fft1d.instance({ K, dataBits: n, twiddleFrac: F, inverse: true });
  rowFft.inValid.assign(reading);
  for (let w = 0; w < K; w++) {
    const pick = (part: "re" | "im"): Signal =>
      mux(rBank, selectBy(rPair, buf[1]!.map((z) => z[w]![part])), selectBy(rPair, buf[0]!.map((z) => z[w]![part])));
    rowFft.inData.at(w).re.assign(pick("re"));
    rowFft.inData.at(w).im.assign(pick("im"));
  }

  outValid.assign(rowFft.outValid);
  outPair.assign(delay(rPair, L, "pair_index", 0));
  outLast.assign(delay(lastPair, L, "pair_last", 0));
  for (let c = 0; c < K; c++) {
    outRows.at(0).at(c).assign(rowFft.outData.at(c).re);
    outRows.at(1).at(c).assign(rowFft.outData.at(c).im);
  }
  return { inValid, inReady, inCol, outValid, outPair, outLast, outRows };
});

/** The row-FFT inputs one column v of a pair's rows A, B yields (see combineRowPair). */
interface PairColumn {
  /** Z[v] for v = 0 and v = K/2, whose imaginary parts the rebuild takes as 0: (A.re, B.re) */
  readonly selfConjugate: Complex;
  /** Z[v] for 1 <= v < K/2 */
  readonly low: Complex;
  /** Z[K-v] for 1 <= v < K/2, from the conjugates (A.re, sat(-A.im)) and (B.re, sat(-B.im)) */
  readonly high: Complex;
}

/**
 * Z = A + jB of ifft2dFixed for one column of rows A and B, operation for operation:
 * Z = (sat(A.re - B.im), sat(A.im + B.re)) with the conjugate's imaginary part saturated first.
 * With the imaginary parts taken as 0 the sums are exact, so the self-conjugate columns need no
 * adder.
 */
function combineRowPair(a: Complex, b: Complex, n: number): PairColumn {
  const sum = (x: Complex, y: Complex): Complex => ({ re: saturate(x.re.sub(y.im), n), im: saturate(x.im.add(y.re), n) });
  const conj = (x: Complex): Complex => ({ re: x.re, im: saturate(x.im.neg(), n) });
  return { selfConjugate: { re: a.re, im: b.re }, low: sum(a, b), high: sum(conj(a), conj(b)) };
}

if (isMain(import.meta.url)) printVerilog(Ifft2d, { K: 8 });
