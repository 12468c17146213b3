/**
 * A fully pipelined K-point fixed-point FFT (or inverse FFT): one whole K-vector of complex
 * values per clock in, natural order in and out, bit-exact with the golden fftFixed1d /
 * ifftFixed1d (spectral/fixed/fft.ts).
 *
 * Structure: radix-2 decimation in frequency, log2(K) stages, each stage K/2 butterflies
 * (butterfly.ts) followed by a register; a valid bit travels with the data. Stage
 * s = 0..log2K-1 has half = K >> (s+1); for every block start j (step 2*half) and i < half the
 * pair (j+i, j+i+half) goes through one butterfly with the constant twiddle W_K^(i * 2^s)
 * (twiddleFixed; conjugated for the inverse). The last stage leaves the values in bit-reversed
 * order; the output is wired back to natural order (no logic).
 *
 * Scaling: every butterfly halves, top = sat(roundShift(a + b, 1)) and
 * bot = sat(roundShift((a - b) W, F + 1)), so each stage scales by 1/2 and the whole
 * transform by 1/K: forward = DFT / K, inverse = the normalised IDFT. Values cannot grow
 * (|a + b| / 2 <= max(|a|, |b|)) except a full-scale value rotated by a twiddle (up to
 * sqrt 2), which saturates to dataBits as the golden model specifies. The data word is
 * dataBits in every stage.
 *
 * Timing: the input is combinational into stage 0; a vector applied in cycle t (with
 * in_valid) is at the output with out_valid in cycle t + fft1dLatency(K). The data registers
 * load only when their valid input is high (they hold otherwise); no stall, no reset on data.
 */
import { Bool, Input, Output, Reg, Vec, defineModule, isMain, printVerilog, type Signal } from "../core";
import { bitReverse, twiddleFixed } from "../../spectral/fixed";
import { butterfly } from "./butterfly";
import { ComplexT, type Complex } from "./fixed";

export interface Fft1dParams {
  /** FFT size, a power of two >= 2 */
  readonly K: number;
  /** data word width (signed), input, every stage and output */
  readonly dataBits: number;
  /** twiddle fraction bits F */
  readonly twiddleFrac: number;
  /** true: inverse transform (conjugated twiddles) */
  readonly inverse: boolean;
}

/** Clock cycles from a vector in to its transform out: one register per stage, log2(K). */
export function fft1dLatency(K: number): number {
  return Math.log2(K);
}

function checkK(K: number): void {
  if (!Number.isInteger(K) || K < 2 || (K & (K - 1)) !== 0) throw new RangeError(`FFT size K must be a power of two >= 2, got ${K}`);
}

/**
 * The pipeline as a generator inside the current module: `input` is K complex words
 * (natural order), `valid` their valid bit. Returns the K outputs (natural order, registered,
 * dataBits wide) and their valid, fft1dLatency(K) cycles later. `prefix` names the registers.
 */
export function fftPipeline(input: readonly Complex[], valid: Signal, p: Fft1dParams, prefix = "stage"): { out: Complex[]; valid: Signal } {
  const { K, dataBits, twiddleFrac: F, inverse } = p;
  checkK(K);
  if (input.length !== K) throw new RangeError(`fftPipeline: expected ${K} inputs, got ${input.length}`);
  const opts = { dataBits, twiddleFrac: F };
  let x: Complex[] = [...input];
  let v: Signal = valid;
  const stages = Math.log2(K);
  for (let s = 0; s < stages; s++) {
    const half = K >> (s + 1);
    const next: Complex[] = new Array<Complex>(K);
    for (let j = 0; j < K; j += 2 * half) {
      for (let i = 0; i < half; i++) {
        const a = j + i;
        const b = a + half;
        const r = butterfly(x[a]!, x[b]!, twiddleFixed(K, i << s, F, inverse), opts);
        next[a] = r.top;
        next[b] = r.bot;
      }
    }
    const regs = next.map((c, k) => {
      const q = Reg(ComplexT(dataBits), { enable: v, name: `${prefix}${s}_${k}` });
      q.re.assign(c.re);
      q.im.assign(c.im);
      return q;
    });
    const vr = Reg(Bool(), { init: 0, name: `${prefix}${s}_valid` });
    vr.assign(v);
    x = regs;
    v = vr;
  }
  const rev = bitReverse(K);
  const out = new Array<Complex>(K);
  for (let i = 0; i < K; i++) out[rev[i]!] = x[i]!;
  return { out, valid: v };
}

/**
 * Module Fft1d { K, dataBits, twiddleFrac, inverse }.
 * Ports: in_valid, in_data: Vec(K, ComplexT(dataBits)); out_valid, out_data: Vec(K, ComplexT(dataBits)).
 */
export const Fft1d = defineModule("Fft1d", (p: Fft1dParams) => {
  const inValid = Input(Bool(), { name: "in_valid" });
  const inData = Input(Vec(p.K, ComplexT(p.dataBits)), { name: "in_data" });
  const outValid = Output(Bool(), { name: "out_valid" });
  const outData = Output(Vec(p.K, ComplexT(p.dataBits)), { name: "out_data" });
  const r = fftPipeline([...inData], inValid, p);
  outValid.assign(r.valid);
  r.out.forEach((c, k) => {
    outData.at(k).re.assign(c.re);
    outData.at(k).im.assign(c.im);
  });
  return { inValid, inData, outValid, outData };
});

if (isMain(import.meta.url)) printVerilog(Fft1d, { K: 8, dataBits: 16, twiddleFrac: 14, inverse: false });

/**
 * A bound on the error of the fixed-point transform against the exact one (DFT / K, or the
 * normalised IDFT), as a complex magnitude per output, for inputs of complex magnitude at
 * most `A` LSB that never saturate, given an error of at most `E0` already in the inputs.
 * Per stage, with d = sqrt(2)/2 * 2^-F the largest twiddle quantisation error (each part
 * rounded to within 1/2 LSB of 2^-F) and a - b the exact difference (|a - b| / 2 <= A, as
 * every exact partial sum scaled by 2^-s is at most A):
 *   top: E' <= E + sqrt(2)/2                       (the rounding of each part is within 1/2)
 *   bot: E' <= E (1 + d) + A d + sqrt(2)/2         (input error times |Wq|, (a - b)(Wq - W)/2, rounding)
 * so E_s = E_(s-1) (1 + d) + A d + sqrt(2)/2, for log2(K) stages.
 */
export function fftErrorBound(K: number, A: number, twiddleFrac: number, E0 = 0): number {
  const d = (Math.SQRT2 / 2) * 2 ** -twiddleFrac;
  let E = E0;
  for (let s = 0; s < Math.log2(K); s++) E = E * (1 + d) + A * d + Math.SQRT2 / 2;
  return E;
}
