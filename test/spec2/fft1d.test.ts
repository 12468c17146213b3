/**
 * The pipelined 1D FFT / IFFT (Fft1d) in Icarus Verilog, batch mode:
 *  - bit-exact with fftFixed1d / ifftFixed1d for K = 4, 8, 16 on full-scale edge vectors
 *    (saturating), random full-range vectors and random vectors below saturation, three
 *    seeds each, with idle cycles between vectors;
 *  - out_valid is in_valid delayed by exactly fft1dLatency(K) cycles;
 *  - against fft.js in floating point (DFT / K, normalised IDFT) within fftErrorBound;
 *  - the Verilog is clean in Icarus, Verilator and Yosys.
 */
import FFT from "fft.js";
import { describe, expect, it } from "vitest";
import { FAST_BACKEND } from "../helpers/sim-backend";
import { elaborate } from "../../hdl/core";
import { Fft1d, fft1dLatency, fftErrorBound } from "../../hdl/spec2/fft1d";
import { fftFixed1d, ifftFixed1d } from "../../spectral/fixed";
import { runBatch, type Stimulus } from "../../sim";
import { randInt, rng } from "../helpers/rng";
import { expectCleanVerilog } from "../helpers/verilog-tools";

const F = 14;

interface Vec1 {
  re: number[];
  im: number[];
  /** below saturation: compared with fft.js too */
  linear: boolean;
}

function testVectors(K: number, n: number, seeds: readonly number[]): Vec1[] {
  const lo = -(2 ** (n - 1));
  const hi = 2 ** (n - 1) - 1;
  const out: Vec1[] = [];
  const fill = (f: (i: number) => number, g: (i: number) => number): void => {
    out.push({ re: Array.from({ length: K }, (_, i) => f(i)), im: Array.from({ length: K }, (_, i) => g(i)), linear: false });
  };
  // full-scale edge vectors
  fill(() => hi, () => hi);
  fill(() => lo, () => lo);
  fill(() => hi, () => lo);
  fill((i) => (i % 2 ? lo : hi), (i) => (i % 2 ? hi : lo));
  fill((i) => (i === 0 ? lo : 0), () => 0);
  fill((i) => (i === 1 ? hi : 0), (i) => (i === 1 ? lo : 0));
  fill((i) => (i < K / 2 ? hi : lo), () => 0);
  fill(() => 0, () => 0);
  const edge = [lo, hi, 0, 1, -1];
  for (const seed of seeds) {
    const r = rng(seed);
    for (let k = 0; k < 6; k++) fill(() => edge[randInt(r, 0, 4)]!, () => edge[randInt(r, 0, 4)]!);
    for (let k = 0; k < 10; k++) fill(() => randInt(r, lo, hi), () => randInt(r, lo, hi));
    // complex magnitude below 2^(n-1): nothing saturates
    const lim = Math.floor(0.7 * 2 ** (n - 1));
    for (let k = 0; k < 24; k++) {
      out.push({ re: Array.from({ length: K }, () => randInt(r, -lim, lim)), im: Array.from({ length: K }, () => randInt(r, -lim, lim)), linear: true });
    }
  }
  return out;
}

/** Float reference: DFT / K (forward) or the normalised IDFT (inverse), by fft.js. */
function reference(v: Vec1, K: number, inverse: boolean): { re: number[]; im: number[] } {
  const f = new FFT(K);
  const inp = f.createComplexArray() as number[];
  const out = f.createComplexArray() as number[];
  for (let i = 0; i < K; i++) {
    inp[2 * i] = v.re[i]!;
    inp[2 * i + 1] = v.im[i]!;
  }
  if (inverse) f.inverseTransform(out, inp);
  else f.transform(out, inp);
  const s = inverse ? 1 : 1 / K;
  return { re: Array.from({ length: K }, (_, i) => out[2 * i]! * s), im: Array.from({ length: K }, (_, i) => out[2 * i + 1]! * s) };
}

async function check(K: number, inverse: boolean, dataBits: number, seeds: readonly number[]): Promise<void> {
  const design = elaborate(Fft1d, { K, dataBits, twiddleFrac: F, inverse });
  const vecs = testVectors(K, dataBits, seeds);
  const r = rng(seeds[0]! * 7 + 1);
  const stim: Stimulus[] = [];
  const validIn: number[] = [];
  for (const v of vecs) {
    while (r() < 0.25) {
      stim.push({ in_valid: 0 });
      validIn.push(0);
    }
    const s: Record<string, number> = { in_valid: 1 };
    for (let i = 0; i < K; i++) {
      s[`in_data_${i}_re`] = v.re[i]!;
      s[`in_data_${i}_im`] = v.im[i]!;
    }
    stim.push(s);
    validIn.push(1);
  }
  const L = fft1dLatency(K);
  for (let i = 0; i < L + 2; i++) {
    stim.push({ in_valid: 0 });
    validIn.push(0);
  }
  // data registers have no reset: their outputs are X until the first vector has gone through
  const samples = await runBatch(design, stim, { backend: FAST_BACKEND, resetCycles: 1, allowX: design.ports.filter((p) => p.name.startsWith("out_data")).map((p) => p.name) });

  const golden = inverse ? ifftFixed1d : fftFixed1d;
  const opts = { dataBits, twiddleFrac: F };
  let next = 0;
  let maxErr = 0;
  let bound = 0;
  samples.forEach((smp, c) => {
    expect(smp.out_valid, `cycle ${c}`).toBe(c >= L ? validIn[c - L] : 0);
    if (smp.out_valid !== 1) return;
    const v = vecs[next++]!;
    const want = golden(v.re, v.im, K, opts);
    const have = { re: Array.from({ length: K }, (_, i) => smp[`out_data_${i}_re`]), im: Array.from({ length: K }, (_, i) => smp[`out_data_${i}_im`]) };
    expect(have, `vector ${next - 1}`).toEqual(want);
    if (v.linear) {
      const ref = reference(v, K, inverse);
      const A = Math.max(...v.re.map((x, i) => Math.hypot(x, v.im[i]!)));
      bound = Math.max(bound, fftErrorBound(K, A, F));
      const b = fftErrorBound(K, A, F);
      for (let i = 0; i < K; i++) {
        const e = Math.hypot(want.re[i]! - ref.re[i]!, want.im[i]! - ref.im[i]!);
        maxErr = Math.max(maxErr, e);
        expect(e, `vector ${next - 1} bin ${i}: error ${e} above the bound ${b}`).toBeLessThanOrEqual(b);
      }
    }
  });
  expect(next).toBe(vecs.length);
  // the bound is not vacuous: per stage one LSB of rounding plus the twiddle precision
  // (2^-F) relative to full scale: 3 LSB per stage at 16 bits, more with wider data words
  expect(bound).toBeLessThan(Math.log2(K) * (0.71 * 2 ** (dataBits - 1 - F) + 1.01));
  expect(maxErr).toBeGreaterThan(0);
}

describe("Fft1d is bit-exact with the golden 1D FFT / IFFT and close to fft.js", () => {
  for (const K of [4, 8, 16]) {
    it(`K=${K} forward, 16-bit data`, () => check(K, false, 16, [K, K + 1, K + 2]));
    it(`K=${K} inverse, ${16 + 2 * Math.log2(K)}-bit data (ifftBits)`, () => check(K, true, 16 + 2 * Math.log2(K), [K + 10, K + 11, K + 12]));
  }
  it("K=8 inverse with 16-bit data", () => check(8, true, 16, [31, 32, 33]));

  it("the Verilog is clean in Icarus, Verilator and Yosys", async () => {
    for (const p of [{ K: 8, dataBits: 16, inverse: false }, { K: 4, dataBits: 20, inverse: true }]) {
      const d = elaborate(Fft1d, { ...p, twiddleFrac: F });
      await expectCleanVerilog(d.verilog, d.top);
    }
  });
});
