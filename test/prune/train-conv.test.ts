import { describe, expect, it } from "vitest";
import { SpectralConv, spatialToSpectral, type ConvShape } from "../../spectral/conv";
import { irfft2, rfft2, scratch } from "../../spectral/fft2";
import { halfPlaneSize } from "../../spectral/layout";
import { Rng } from "../../spectral/rng";
import { CONJUGATE_OF, forward2d, inverse2d, POSITIONS } from "../../prune/fft8";
import { projectLayerMask, applyMask } from "../../spectral/project";
import { TrainConv } from "../../prune/train-conv";

const rand = (rng: Rng, n: number): Float64Array => Float64Array.from({ length: n }, () => rng.normal());
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let q = 0; q < a.length; q++) m = Math.max(m, Math.abs(a[q]! - b[q]!));
  return m;
};
const maxAbs = (a: ArrayLike<number>): number => maxDiff(a, new Float64Array(a.length));

describe("unrolled K = 8 transforms (fft8.ts) against spectral/fft2.ts", () => {
  it("forward2d gives rfft2's values at the 34 positions, for every number of nonzero rows", () => {
    const rng = new Rng(1);
    for (let nr = 1; nr <= 8; nr++) {
      const tile = new Float64Array(64);
      for (let q = 0; q < 8 * nr; q++) tile[q] = rng.normal();
      const ref = new Float64Array(80);
      rfft2(8, tile, 0, 8, nr, 8, ref, scratch(8));
      const out = new Float64Array(3 + 34 * 4);
      forward2d(tile, nr, out, 3, 4, new Float64Array(80));
      POSITIONS.forEach((j, p) => {
        expect(out[3 + 4 * p]).toBeCloseTo(ref[2 * j]!, 12);
        expect(out[4 + 4 * p]).toBeCloseTo(ref[2 * j + 1]!, 12);
      });
    }
  });

  it("inverse2d is irfft2 of the Hermitian spectrum the 34 positions stand for", () => {
    const rng = new Rng(2);
    const spec = rand(rng, 80);
    for (let j = 0; j < 40; j++) {
      const c = CONJUGATE_OF[j]!;
      if (c >= 0) {
        spec[2 * j] = spec[2 * POSITIONS[c]!]!;
        spec[2 * j + 1] = -spec[2 * POSITIONS[c]! + 1]!;
      }
    }
    const ref = new Float64Array(64);
    irfft2(8, spec, 0, ref, scratch(8));
    const packed = new Float64Array(68);
    POSITIONS.forEach((j, p) => packed.set([spec[2 * j]!, spec[2 * j + 1]!], 2 * p));
    const out = new Float64Array(64);
    inverse2d(packed, 0, 2, 8, out, new Float64Array(80));
    expect(maxDiff(out, ref)).toBeLessThan(1e-14 * maxAbs(ref) * 64);
  });
});

// Hermitian weights: transforms of spatial kernels, optionally pruned to n entries per kernel by the balanced projection
function weights(rng: Rng, s: ConvShape, n: number | undefined): { W: Float64Array; mask: Uint8Array | undefined } {
  const W = spatialToSpectral(s, rand(rng, s.cout * s.cin * s.k * s.k));
  if (n === undefined) return { W, mask: undefined };
  const mask = projectLayerMask(8, W, s.cout * s.cin, n);
  applyMask(W, mask);
  return { W, mask };
}

describe("TrainConv = SpectralConv for Hermitian weights (forward, input, weight and bias gradients)", () => {
  const shapes: ConvShape[] = [
    { cin: 1, cout: 6, h: 28, w: 28, k: 5, p: 0, K: 8 },
    { cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: 8 },
    { cin: 3, cout: 5, h: 7, w: 9, k: 3, p: 1, K: 8 },
    { cin: 4, cout: 3, h: 14, w: 14, k: 3, p: 1, K: 8 },
    { cin: 2, cout: 2, h: 5, w: 6, k: 7, p: 2, K: 8 },
  ];
  for (const s of shapes) {
    for (const n of [undefined, 10, 5]) {
      it(`Cin=${s.cin} Cout=${s.cout} ${s.h}x${s.w} k=${s.k} p=${s.p}, ${n === undefined ? "dense" : `masked, n = ${n}`}`, () => {
        const rng = new Rng(s.cin * 100 + s.cout + (n ?? 0));
        const { W, mask } = weights(rng, s, n);
        const b = rand(rng, s.cout);
        const x = rand(rng, s.cin * s.h * s.w);
        const ref = new SpectralConv(s);
        const cache = { X: new Float64Array(ref.tiles * s.cin * 2 * halfPlaneSize(8)) };
        const yRef = ref.forward(x, W, b, cache);
        const dy = rand(rng, yRef.length);
        const g = ref.backward(cache.X, W, dy);
        const op = new TrainConv(s);
        // two samples into the same gradient: the operator accumulates until addGrads
        op.setWeights(W, b, mask);
        for (let rep = 0; rep < 2; rep++) {
          const y = op.forward(x);
          expect(maxDiff(y, yRef)).toBeLessThan(1e-12 * maxAbs(yRef));
          const dx = op.backward(dy, true)!;
          expect(maxDiff(dx, g.dx!)).toBeLessThan(1e-12 * maxAbs(g.dx!));
        }
        const dW = new Float64Array(W.length);
        const db = new Float64Array(s.cout);
        op.addGrads(dW, db);
        const dWRef = g.dW.map((v, q) => (mask && !mask[q >> 1] ? 0 : 2 * v));
        expect(maxDiff(dW, dWRef)).toBeLessThan(1e-12 * maxAbs(dWRef));
        expect(maxDiff(db, g.db.map((v) => 2 * v))).toBeLessThan(1e-12 * maxAbs(g.db));
      });
    }
  }
});
