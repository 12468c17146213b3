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
 *     -> transpose buffer (two banks of K x (K/2+1) complex registers; the imaginary parts
 *        of columns 0 and K/2 are not stored, they are replaced by 0)
 *     -> per row pair j the rows A = G[2j], B = G[2j+1], rebuilt Hermitian as in ifft2dFixed
 *        (G[K-v] = (re, saturate(-im, dataBits)) for 1 <= v < K/2), combined into
 *        Z[v] = (sat(A.re - B.im), sat(A.im + B.re)), v = 0..K-1 (combineRowPair)
 *     -> row inverse Fft1d of Z; its real parts are row 2j (out_rows[0]), its imaginary parts
 *        row 2j+1 (out_rows[1]); pairs j = 0..K/2-1 in order, out_pair = j, out_last with j = K/2-1.
 *
 * Both 1D inverse FFTs scale by 1/2 per stage (fft1d.ts), so the output is the normalised
 * IDFT2 in dataBits words.
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
 * Cost: two inverse Fft1d, 2 x K x (K/2+1) complex registers of transpose buffer (less the
 * dropped imaginary parts), a K:1 pair mux per buffered column and row parity, and the combine
 * (4 add-and-saturate for each of the columns 1..K/2-1). K = 8, 22 bits, native Yosys 0.23
 * synth_xilinx (xc7): 7912 LUT, 0 LUT-RAM, 4952 FF, 8 DSP48E1. The unit with one real row per row
 * transform (K cycles per block) measured 7019 LUT, 0 LUT-RAM, 4499 FF, 8 DSP48E1 in the same
 * run: its row FFT's imaginary outputs were unused and Yosys removed their logic. Combining as
 * the columns are written, with the buffer holding Z (the same storage), measured 9226 LUT on
 * xc7, although Yosys' generic 6-LUT mapping puts both forms within 1% of each other.
 */
import { Bool, Input, Output, Reg, SInt, UInt, Vec, constant, defineModule, isMain, log2Ceil, mux, printVerilog, when, type Signal } from "../core";
import { Fft1d, fft1dLatency } from "./fft1d";
import { ComplexT, saturate, type Complex } from "./fixed";
import { selectIndex, ShiftRegister } from "../lib";

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
        if (v === 0 || v === K / 2) return { re, im: constant(0, SInt(n)) };
        const im = Reg(SInt(n), { enable: we, name: `bank${b}_r${r}_v${v}_im` });
        im.assign(colFft.outData.at(r).im);
        return { re, im };
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

  // ---- row-pair combine: rows A = 2j, B = 2j+1 of the bank being read into Z = A + jB ----
  const z = new Array<Complex>(K);
  for (let v = 0; v < C; v++) {
    const pick = (parity: number, part: "re" | "im"): Signal => {
      const ofPairs = (bank: Complex[][]): Signal[] => Array.from({ length: P }, (_, j) => bank[2 * j + parity]![v]![part]);
      return mux(rBank, selectIndex(rPair, ofPairs(buf[1]!)), selectIndex(rPair, ofPairs(buf[0]!)));
    };
    const row = (parity: number): Complex => ({ re: pick(parity, "re"), im: pick(parity, "im") });
    if (v === 0 || v === K / 2) {
      z[v] = { re: pick(0, "re"), im: pick(1, "re") }; // the imaginary parts are 0: the sums are exact
    } else {
      const sums = combineRowPair(row(0), row(1), n);
      z[v] = sums.low;
      z[K - v] = sums.high;
    }
  }

  // ---- row inverse FFT of Z: real part row 2j, imaginary part row 2j+1 ----
  const rowFft = Fft1d.instance({ K, dataBits: n, twiddleFrac: F, inverse: true });
  rowFft.inValid.assign(reading);
  for (let w = 0; w < K; w++) {
    rowFft.inData.at(w).re.assign(z[w]!.re);
    rowFft.inData.at(w).im.assign(z[w]!.im);
  }

  outValid.assign(rowFft.outValid);
  outPair.assign(ShiftRegister(rPair, L, { init: 0, name: "pair_index" }));
  outLast.assign(ShiftRegister(lastPair, L, { init: 0, name: "pair_last" }));
  for (let c = 0; c < K; c++) {
    outRows.at(0).at(c).assign(rowFft.outData.at(c).re);
    outRows.at(1).at(c).assign(rowFft.outData.at(c).im);
  }
  return { inValid, inReady, inCol, outValid, outPair, outLast, outRows };
});

/**
 * Z[v] and Z[K-v] of ifft2dFixed's Z = A + jB for one column 1 <= v < K/2 of rows A and B:
 * low = (sat(A.re - B.im), sat(A.im + B.re)) and high the same sums of the conjugates
 * (A.re, sat(-A.im)), (B.re, sat(-B.im)). sat(-x) = -x - [x = -2^(n-1)], so the clipped
 * negation folds into the sum as a 1-bit term instead of an adder and a clamp of its own.
 */
function combineRowPair(a: Complex, b: Complex, n: number): { low: Complex; high: Complex } {
  const isMin = (x: Signal): Signal => x.eq(constant(-(2 ** (n - 1)), SInt(n))).zext(2).asSInt();
  const low = { re: saturate(a.re.sub(b.im), n), im: saturate(a.im.add(b.re), n) };
  const high = { re: saturate(a.re.add(b.im).add(isMin(b.im)), n), im: saturate(b.re.sub(a.im).sub(isMin(a.im)), n) };
  return { low, high };
}

if (isMain(import.meta.url)) printVerilog(Ifft2d, { K: 8 });
