import { describe, expect, it } from "vitest";
import { SpectralConv, spatialToSpectral, type ConvShape } from "../../spectral/conv";
import { rfft2, irfft2, scratch } from "../../spectral/fft2";
import { halfPlaneSize } from "../../spectral/layout";
import { Rng } from "../../spectral/rng";
import {
  butterflyFixed,
  chooseFrac,
  complexMacFixed,
  fft2dForwardFixed,
  fftFixed1d,
  goldenConvLayer,
  ifft2dFixed,
  ifftFixed1d,
  macToIfftInput,
  outputStage,
  quantizeActivations,
  quantizeLayer,
  roundShift,
  saturate,
  sqnrDb,
  twiddleFixed,
  dequantize,
} from "../../spectral/fixed";

describe("integer primitives", () => {
  it("roundShift rounds half up, arithmetically", () => {
    expect(roundShift(3, 1)).toBe(2);
    expect(roundShift(-3, 1)).toBe(-1);
    expect(roundShift(-4, 1)).toBe(-2);
    expect(roundShift(5, 2)).toBe(1);
    expect(roundShift(6, 2)).toBe(2);
    expect(roundShift(-6, 2)).toBe(-1);
    expect(roundShift(-7, 2)).toBe(-2);
    expect(roundShift(2 ** 46 + 2 ** 9, 10)).toBe(2 ** 36 + 1);
    expect(roundShift(7, 0)).toBe(7);
  });
  it("saturate clamps to the signed range", () => {
    expect(saturate(40000, 16)).toBe(32767);
    expect(saturate(-40000, 16)).toBe(-32768);
    expect(saturate(-32768, 16)).toBe(-32768);
    expect(saturate(123, 16)).toBe(123);
  });
  it("K=8 twiddles (F=14)", () => {
    expect(twiddleFixed(8, 0, 14)).toEqual([16384, 0]);
    expect(twiddleFixed(8, 1, 14)).toEqual([11585, -11585]);
    expect(twiddleFixed(8, 2, 14)).toEqual([0, -16384]);
    expect(twiddleFixed(8, 3, 14)).toEqual([-11585, -11585]);
    expect(twiddleFixed(8, 1, 14, true)).toEqual([11585, 11585]);
  });
  it("butterfly", () => {
    const o = { dataBits: 16, twiddleFrac: 14 };
    // a=(100,-7) b=(3,4): sum (103,-3)/2 -> (52,-1); diff (97,-11) * (11585,-11585) / 2^15
    const d = [97 * 11585 - -11 * -11585, 97 * -11585 + -11 * 11585];
    expect(butterflyFixed(100, -7, 3, 4, 11585, -11585, o)).toEqual([52, -1, roundShift(d[0]!, 15), roundShift(d[1]!, 15)]);
    expect(butterflyFixed(32767, 32767, -32768, -32768, 11585, -11585, o)[2]).toBe(32767); // saturates
  });
  it("MAC, IFFT input word, output stage", () => {
    expect(complexMacFixed(10, 20, 3, 4, 5, -6)).toEqual([10 + 15 + 24, 20 - 18 + 20]);
    expect(macToIfftInput(1000, 3, 22)).toBe(125);
    expect(macToIfftInput(1004, 3, 22)).toBe(126);
    expect(macToIfftInput(-5, -2, 22)).toBe(-20);
    expect(macToIfftInput(2 ** 40, 0, 22)).toBe(2 ** 21 - 1);
    expect(outputStage(-10, 3, true, 16)).toBe(0);
    expect(outputStage(-10, 3, false, 16)).toBe(-7);
    expect(outputStage(40000, 3, false, 16)).toBe(32767);
  });
  it("chooseFrac", () => {
    expect(chooseFrac(1, 16)).toBe(14);
    expect(chooseFrac(0.99, 16)).toBe(15);
    expect(chooseFrac(3.5, 16)).toBe(13);
    expect(chooseFrac(1000, 16)).toBe(5);
  });
});

describe("fixed-point FFTs", () => {
  for (const K of [4, 8, 16]) {
    it(`K=${K}: 1D forward = DFT/K and inverse = IDFT within 2 LSB`, () => {
      const rng = new Rng(K);
      const o = { dataBits: 16, twiddleFrac: 14 };
      for (let rep = 0; rep < 20; rep++) {
        // half scale: a full-scale complex value rotated by a twiddle can exceed 16 bits mid-way
        const re = Array.from({ length: K }, () => rng.int(32768) - 16384);
        const im = Array.from({ length: K }, () => rng.int(32768) - 16384);
        const f = fftFixed1d(re, im, K, o);
        const g = ifftFixed1d(re, im, K, o);
        for (let k = 0; k < K; k++) {
          let fr = 0, fi = 0, gr = 0, gi = 0;
          for (let n = 0; n < K; n++) {
            const a = (2 * Math.PI * n * k) / K;
            fr += re[n]! * Math.cos(a) + im[n]! * Math.sin(a);
            fi += im[n]! * Math.cos(a) - re[n]! * Math.sin(a);
            gr += re[n]! * Math.cos(a) - im[n]! * Math.sin(a);
            gi += im[n]! * Math.cos(a) + re[n]! * Math.sin(a);
          }
          // saturation can only bite in rotated corner cases; exclude them
          if (Math.abs(fr / K) < 32000 && Math.abs(fi / K) < 32000) {
            expect(Math.abs(f.re[k]! - fr / K)).toBeLessThan(2);
            expect(Math.abs(f.im[k]! - fi / K)).toBeLessThan(2);
          }
          if (Math.abs(gr / K) < 32000 && Math.abs(gi / K) < 32000) {
            expect(Math.abs(g.re[k]! - gr / K)).toBeLessThan(2);
            expect(Math.abs(g.im[k]! - gi / K)).toBeLessThan(2);
          }
        }
      }
    });

    it(`K=${K}: 2D forward = rfft2/K^2 and complex-to-real inverse = irfft2 within log2(K) LSB`, () => {
      const rng = new Rng(50 + K);
      const L = halfPlaneSize(K);
      const tile = new Int32Array(K * K);
      for (let q = 0; q < K * K; q++) tile[q] = rng.int(65536) - 32768;
      const X = fft2dForwardFixed(tile, K, { dataBits: 16, twiddleFrac: 14 });
      const ref = new Float64Array(2 * L);
      rfft2(K, Float64Array.from(tile), 0, K, K, K, ref, scratch(K), 1 / (K * K));
      for (let q = 0; q < 2 * L; q++) expect(Math.abs(X[q]! - ref[q]!)).toBeLessThan(Math.log2(K));
      // inverse of a (scaled-up) spectrum in 16 + 2 log2 K bits
      const bits = 16 + 2 * Math.log2(K);
      const S = new Int32Array(2 * L);
      for (let q = 0; q < 2 * L; q++) S[q] = rng.int(2 ** (bits - 3)) - 2 ** (bits - 4);
      const y = ifft2dFixed(S, K, { dataBits: bits, twiddleFrac: 14 });
      const yr = new Float64Array(K * K);
      irfft2(K, Float64Array.from(S), 0, yr, scratch(K));
      for (let q = 0; q < K * K; q++) expect(Math.abs(y[q]! - yr[q]!)).toBeLessThan(Math.log2(K));
    });
  }
});

interface Case {
  s: ConvShape;
  pruneFrac: number;
  relu: boolean;
}
const cases: Case[] = [
  { s: { cin: 1, cout: 6, h: 28, w: 28, k: 5, p: 0, K: 8 }, pruneFrac: 0, relu: false },
  { s: { cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: 8 }, pruneFrac: 0.75, relu: false },
  { s: { cin: 8, cout: 4, h: 10, w: 13, k: 3, p: 1, K: 8 }, pruneFrac: 0.5, relu: true },
  { s: { cin: 4, cout: 3, h: 9, w: 9, k: 3, p: 1, K: 4 }, pruneFrac: 0, relu: false },
  { s: { cin: 16, cout: 4, h: 11, w: 7, k: 3, p: 1, K: 4 }, pruneFrac: 0.5, relu: false },
  { s: { cin: 3, cout: 5, h: 20, w: 18, k: 7, p: 3, K: 16 }, pruneFrac: 0, relu: false },
  { s: { cin: 32, cout: 2, h: 16, w: 16, k: 5, p: 2, K: 16 }, pruneFrac: 0.75, relu: false },
];

export const sqnrFigures: string[] = [];

describe("golden layer SQNR vs the float operator", () => {
  cases.forEach((c, n) => {
    const { s } = c;
    it(`Cin=${s.cin} Cout=${s.cout} ${s.h}x${s.w} k=${s.k} p=${s.p} K=${s.K} pruned ${c.pruneFrac} relu=${c.relu}: >= 40 dB`, () => {
      const rng = new Rng(1000 + n);
      const L = halfPlaneSize(s.K);
      const x = Float64Array.from({ length: s.cin * s.h * s.w }, () => rng.uniform(-1, 1) * 3);
      const std = Math.sqrt(2 / (s.cin * s.k * s.k));
      const w = Float64Array.from({ length: s.cout * s.cin * s.k * s.k }, () => rng.normal() * std);
      const b = Float64Array.from({ length: s.cout }, () => rng.normal() * 0.1);
      const W = spatialToSpectral(s, w);
      // prune whole columns-1..K/2-1 entries at random (keeps the Hermitian structure)
      const mask = new Uint8Array(s.cout * s.cin * L).fill(1);
      const C = s.K / 2 + 1;
      for (let q = 0; q < mask.length; q++) {
        const v = (q % L) % C;
        if (v !== 0 && v !== s.K / 2 && rng.next() < c.pruneFrac) {
          mask[q] = 0;
          W[2 * q] = W[2 * q + 1] = 0;
        }
      }
      const op = new SpectralConv(s);
      let y = op.forward(x, W, b);
      if (c.relu) y = y.map((v) => Math.max(0, v));
      let maxY = 0;
      for (const v of y) maxY = Math.max(maxY, Math.abs(v));
      const inFrac = chooseFrac(3, 16);
      const outFrac = chooseFrac(maxY * 1.1, 16);
      const layer = quantizeLayer(s, W, b, { inFrac, outFrac, relu: c.relu, mask });
      const yq = goldenConvLayer(layer, quantizeActivations(x, inFrac));
      const db = sqnrDb(y, dequantize(yq, outFrac));
      sqnrFigures.push(`${s.cin}x${s.cout} ${s.h}x${s.w} k=${s.k} p=${s.p} K=${s.K} pruned=${c.pruneFrac}: ${db.toFixed(1)} dB`);
      console.log(`SQNR ${sqnrFigures[sqnrFigures.length - 1]}`);
      expect(db).toBeGreaterThanOrEqual(40);
    });
  });
});

describe("the golden layer is exactly the composition of the exported primitives", () => {
  it("per tile: tiles -> fft2dForwardFixed -> complexMacFixed -> macToIfftInput -> ifft2dFixed -> overlap-add -> outputStage", () => {
    const s: ConvShape = { cin: 3, cout: 2, h: 9, w: 7, k: 3, p: 1, K: 8 };
    const rng = new Rng(77);
    const std = Math.sqrt(2 / 27);
    const W = spatialToSpectral(s, Float64Array.from({ length: 2 * 3 * 9 }, () => rng.normal() * std));
    const x = Float64Array.from({ length: 3 * 9 * 7 }, () => rng.uniform(-1, 1));
    const layer = quantizeLayer(s, W, [0.1, -0.2], { inFrac: 14, outFrac: 12, relu: true });
    const xq = quantizeActivations(x, 14);
    const K = 8;
    const T = K - s.k + 1;
    const f = layer.formats;
    const shift = f.inFrac + f.weightFrac - 6 - f.outFrac;
    const z = new Float64Array(2 * 9 * 7);
    let tiles = 0;
    const y = goldenConvLayer(layer, xq, (t) => {
      tiles++;
      for (let i = 0; i < s.cin; i++) expect(Array.from(fft2dForwardFixed(t.tiles[i]!, K, { dataBits: 16, twiddleFrac: 14 }))).toEqual(Array.from(t.X[i]!));
      for (let o = 0; o < s.cout; o++) {
        const acc = new Float64Array(2 * 40);
        for (let i = 0; i < s.cin; i++)
          for (const e of layer.kernels[o * s.cin + i]!) {
            const [r, im] = complexMacFixed(acc[2 * e.index]!, acc[2 * e.index + 1]!, t.X[i]![2 * e.index]!, t.X[i]![2 * e.index + 1]!, e.re, e.im);
            acc[2 * e.index] = r;
            acc[2 * e.index + 1] = im;
          }
        expect(Array.from(t.acc[o]!)).toEqual(Array.from(acc));
        const sIn = Array.from(acc, (a) => macToIfftInput(a, shift, f.ifftBits));
        expect(Array.from(t.ifftIn[o]!)).toEqual(sIn);
        expect(Array.from(ifft2dFixed(sIn, K, { dataBits: f.ifftBits, twiddleFrac: 14 }))).toEqual(Array.from(t.blocks[o]!));
        for (let a = 0; a < K; a++)
          for (let b = 0; b < K; b++) {
            const r = t.ty * T + a - (s.k - 1);
            const c = t.tx * T + b - (s.k - 1);
            if (r >= 0 && r < 9 && c >= 0 && c < 7) z[(o * 9 + r) * 7 + c] += t.blocks[o]![a * K + b]!;
          }
      }
    });
    expect(tiles).toBeGreaterThan(0);
    for (let o = 0; o < 2; o++) for (let q = 0; q < 63; q++) expect(y[o * 63 + q]).toBe(outputStage(z[o * 63 + q]!, layer.bias[o]!, true, 16));
  });

  it("fftFixed1d is the butterfly network of butterflyFixed", () => {
    const K = 16;
    const rng = new Rng(5);
    const re = Array.from({ length: K }, () => rng.int(65536) - 32768);
    const im = Array.from({ length: K }, () => rng.int(65536) - 32768);
    const r = re.slice();
    const m = im.slice();
    for (let half = K >> 1, s = 0; half >= 1; half >>= 1, s++)
      for (let j = 0; j < K; j += 2 * half)
        for (let i = 0; i < half; i++) {
          const [wr, wi] = twiddleFixed(K, i << s, 14);
          const o = butterflyFixed(r[j + i]!, m[j + i]!, r[j + i + half]!, m[j + i + half]!, wr, wi, { dataBits: 16, twiddleFrac: 14 });
          [r[j + i], m[j + i], r[j + i + half], m[j + i + half]] = o;
        }
    const out = fftFixed1d(re, im, K, { dataBits: 16, twiddleFrac: 14 });
    for (let k = 0; k < K; k++) {
      const br = parseInt(k.toString(2).padStart(4, "0").split("").reverse().join(""), 2);
      expect(out.re[br]).toBe(r[k]);
      expect(out.im[br]).toBe(m[k]);
    }
  });

  it("ifft2dFixed: columns by ifftFixed1d, then rows in pairs, row r + j row r+1 through one ifftFixed1d", () => {
    const K = 8;
    const C = K / 2 + 1;
    const opts = { dataBits: 22, twiddleFrac: 14 };
    const rng = new Rng(77);
    const spec = Array.from({ length: 2 * K * C }, () => rng.int(2 ** 20) - 2 ** 19);
    // independent construction from the 1D transform and the rules of spectral/README.md
    const G: { re: number; im: number }[][] = Array.from({ length: K }, () => []);
    for (let v = 0; v < C; v++) {
      const col = ifftFixed1d(
        Array.from({ length: K }, (_, u) => spec[2 * (u * C + v)]!),
        Array.from({ length: K }, (_, u) => spec[2 * (u * C + v) + 1]!),
        K,
        opts,
      );
      for (let r = 0; r < K; r++) G[r]![v] = { re: col.re[r]!, im: v === 0 || v === K / 2 ? 0 : col.im[r]! };
    }
    const full = (r: number): { re: number; im: number }[] =>
      Array.from({ length: K }, (_, v) => (v < C ? G[r]![v]! : { re: G[r]![K - v]!.re, im: saturate(-G[r]![K - v]!.im, 22) }));
    const want: number[] = [];
    for (let r = 0; r < K; r += 2) {
      const a = full(r);
      const b = full(r + 1);
      const z = ifftFixed1d(
        a.map((x, v) => saturate(x.re - b[v]!.im, 22)),
        a.map((x, v) => saturate(x.im + b[v]!.re, 22)),
        K,
        opts,
      );
      want.push(...z.re, ...z.im);
    }
    expect(Array.from(ifft2dFixed(spec, K, opts))).toEqual(want);
  });

  it("pinned regression checksum of a K=8 layer (changes here change the RTL contract)", () => {
    const s: ConvShape = { cin: 2, cout: 3, h: 12, w: 12, k: 5, p: 0, K: 8 };
    const rng = new Rng(2024);
    const W = spatialToSpectral(s, Float64Array.from({ length: 3 * 2 * 25 }, () => rng.normal() * 0.2));
    const x = Float64Array.from({ length: 2 * 144 }, () => rng.uniform(-1, 1));
    const layer = quantizeLayer(s, W, [0.05, -0.1, 0.2], { inFrac: 14, outFrac: 12, relu: false });
    const y = goldenConvLayer(layer, quantizeActivations(x, 14));
    let sum = 0;
    y.forEach((v, q) => (sum = (sum * 31 + v + 65536 * (q % 7)) % 1000000007));
    expect(sum).toBe(804047763); // since the row pairs of ifft2dFixed (was 473510016)
  });
});
