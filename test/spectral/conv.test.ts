import { describe, expect, it } from "vitest";
import FFT from "fft.js";
import { SpectralConv, spatialConv, spatialToSpectral, type ConvShape } from "../../spectral/conv";
import { rfft2, irfft2, scratch } from "../../spectral/fft2";
import { halfPlaneSize } from "../../spectral/layout";
import { Rng } from "../../spectral/rng";

function randArr(rng: Rng, n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

/** full 2D DFT with fft.js (rows then columns) */
function fftjs2(K: number, x: Float64Array): Float64Array {
  const f = new FFT(K);
  const full = new Float64Array(2 * K * K);
  const inp = f.createComplexArray() as number[];
  const out = f.createComplexArray() as number[];
  for (let r = 0; r < K; r++) {
    for (let c = 0; c < K; c++) {
      inp[2 * c] = x[r * K + c]!;
      inp[2 * c + 1] = 0;
    }
    f.transform(out, inp);
    for (let c = 0; c < 2 * K; c++) full[2 * r * K + c] = out[c]!;
  }
  for (let c = 0; c < K; c++) {
    for (let r = 0; r < K; r++) {
      inp[2 * r] = full[2 * (r * K + c)]!;
      inp[2 * r + 1] = full[2 * (r * K + c) + 1]!;
    }
    f.transform(out, inp);
    for (let r = 0; r < K; r++) {
      full[2 * (r * K + c)] = out[2 * r]!;
      full[2 * (r * K + c) + 1] = out[2 * r + 1]!;
    }
  }
  return full;
}

describe("rfft2 / irfft2", () => {
  for (const K of [4, 8, 16]) {
    it(`K=${K}: rfft2 matches fft.js and irfft2 inverts it`, () => {
      const rng = new Rng(K);
      const x = randArr(rng, K * K);
      const L = halfPlaneSize(K);
      const spec = new Float64Array(2 * L);
      rfft2(K, x, 0, K, K, K, spec, scratch(K));
      const full = fftjs2(K, x);
      const C = K / 2 + 1;
      for (let u = 0; u < K; u++)
        for (let v = 0; v < C; v++) {
          expect(spec[2 * (u * C + v)]).toBeCloseTo(full[2 * (u * K + v)]!, 9);
          expect(spec[2 * (u * C + v) + 1]).toBeCloseTo(full[2 * (u * K + v) + 1]!, 9);
        }
      const back = new Float64Array(K * K);
      irfft2(K, spec, 0, back, scratch(K));
      for (let q = 0; q < K * K; q++) expect(Math.abs(back[q]! - x[q]!)).toBeLessThan(1e-12);
    });
  }

  it("irfft2 ignores the imaginary parts of columns 0 and K/2 after the column inverse (numpy irfft)", () => {
    const K = 8;
    const rng = new Rng(3);
    const x = randArr(rng, K * K);
    const spec = new Float64Array(2 * halfPlaneSize(K));
    rfft2(K, x, 0, K, K, K, spec, scratch(K));
    // add an anti-Hermitian perturbation to column 0: d[u] = j*c for all u makes G[r][0] gain j*c*delta_r0 (purely imaginary)
    const pert = spec.slice();
    const C = K / 2 + 1;
    for (let u = 0; u < K; u++) pert[2 * (u * C) + 1]! += 0.7;
    for (let u = 0; u < K; u++) pert[2 * (u * C + K / 2) + 1]! += -0.3;
    const a = new Float64Array(K * K);
    const b = new Float64Array(K * K);
    irfft2(K, spec, 0, a, scratch(K));
    irfft2(K, pert, 0, b, scratch(K));
    for (let q = 0; q < K * K; q++) expect(Math.abs(a[q]! - b[q]!)).toBeLessThan(1e-12);
  });
});

const shapes: ConvShape[] = [
  { cin: 1, cout: 6, h: 28, w: 28, k: 5, p: 0, K: 8 },
  { cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: 8 },
  { cin: 2, cout: 3, h: 13, w: 9, k: 3, p: 1, K: 8 },
  { cin: 3, cout: 2, h: 7, w: 11, k: 3, p: 1, K: 4 },
  { cin: 1, cout: 1, h: 5, w: 5, k: 1, p: 0, K: 4 },
  { cin: 2, cout: 2, h: 10, w: 6, k: 5, p: 2, K: 8 },
  { cin: 2, cout: 3, h: 17, w: 15, k: 7, p: 3, K: 16 },
  { cin: 3, cout: 2, h: 9, w: 20, k: 3, p: 0, K: 16 },
  { cin: 1, cout: 2, h: 3, w: 3, k: 3, p: 0, K: 4 },
  { cin: 2, cout: 1, h: 6, w: 6, k: 7, p: 1, K: 8 },
];

describe("spectral convolution equals spatial convolution (unpruned)", () => {
  shapes.forEach((s, n) => {
    it(`Cin=${s.cin} Cout=${s.cout} ${s.h}x${s.w} k=${s.k} p=${s.p} K=${s.K}`, () => {
      const rng = new Rng(100 + n);
      const x = randArr(rng, s.cin * s.h * s.w);
      const w = randArr(rng, s.cout * s.cin * s.k * s.k);
      const b = randArr(rng, s.cout);
      const ref = spatialConv(s, x, w, b);
      const op = new SpectralConv(s);
      const y = op.forward(x, spatialToSpectral(s, w), b);
      expect(y.length).toBe(ref.length);
      let err = 0;
      for (let q = 0; q < y.length; q++) err = Math.max(err, Math.abs(y[q]! - ref[q]!));
      expect(err).toBeLessThan(1e-9);
    });
  });
});

describe("gradients match finite differences", () => {
  const cases: ConvShape[] = [
    { cin: 2, cout: 3, h: 7, w: 6, k: 3, p: 1, K: 4 },
    { cin: 2, cout: 2, h: 9, w: 10, k: 5, p: 0, K: 8 },
  ];
  cases.forEach((s, n) => {
    it(`Cin=${s.cin} Cout=${s.cout} ${s.h}x${s.w} k=${s.k} p=${s.p} K=${s.K} (arbitrary, non-Hermitian, pruned W)`, () => {
      const rng = new Rng(7 + n);
      const op = new SpectralConv(s);
      const L = halfPlaneSize(s.K);
      const x = randArr(rng, s.cin * s.h * s.w);
      const W = randArr(rng, s.cout * s.cin * L * 2);
      for (let q = 0; q < W.length; q += 2) if (rng.next() < 0.5) W[q] = W[q + 1] = 0;
      const b = randArr(rng, s.cout);
      const pl = op.plan;
      const g = randArr(rng, s.cout * pl.ho * pl.wo); // loss = <g, y>
      const loss = (xx: Float64Array, WW: Float64Array, bb: Float64Array): number => {
        const y = op.forward(xx, WW, bb);
        let l = 0;
        for (let q = 0; q < y.length; q++) l += g[q]! * y[q]!;
        return l;
      };
      const cache = { X: new Float64Array(op.tiles * s.cin * 2 * L) };
      op.forward(x, W, b, cache);
      const { dx, dW, db } = op.backward(cache.X, W, g);
      const eps = 1e-6;
      const check = (arr: Float64Array, grad: Float64Array, count: number): void => {
        for (let c = 0; c < count; c++) {
          const q = rng.int(arr.length);
          const old = arr[q]!;
          arr[q] = old + eps;
          const lp = loss(x, W, b);
          arr[q] = old - eps;
          const lm = loss(x, W, b);
          arr[q] = old;
          const fd = (lp - lm) / (2 * eps);
          expect(Math.abs(fd - grad[q]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        }
      };
      check(x, dx!, 30);
      check(W, dW, 60);
      check(b, db, s.cout);
    });
  });
});
