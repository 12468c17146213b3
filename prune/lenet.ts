/**
 * LeNet-5 with spectral convolutions (K = 8), hand-written on typed arrays:
 *   28x28 -> spectral conv 5x5 (1 -> 6) -> ReLU -> maxpool 2 -> 12x12
 *         -> spectral conv 5x5 (6 -> 16) -> ReLU -> maxpool 2 -> 4x4x16 = 256
 *         -> FC 120 -> ReLU -> FC 84 -> ReLU -> FC 10 -> softmax cross-entropy.
 * All parameters live in one Float64Array (views below); the conv weights are the half-plane
 * spectral weights of spectral/conv.ts.
 */
import { SpectralConv, spatialToSpectral, type ConvShape } from "../spectral/conv";
import { halfPlaneSize } from "../spectral/layout";
import { Rng } from "../spectral/rng";

export const K_FFT = 8;
export const CONV1: ConvShape = { cin: 1, cout: 6, h: 28, w: 28, k: 5, p: 0, K: K_FFT };
export const CONV2: ConvShape = { cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: K_FFT };
const L = halfPlaneSize(K_FFT);

export interface ParamLayout {
  readonly W1: [number, number];
  readonly b1: [number, number];
  readonly W2: [number, number];
  readonly b2: [number, number];
  readonly F1: [number, number];
  readonly c1: [number, number];
  readonly F2: [number, number];
  readonly c2: [number, number];
  readonly F3: [number, number];
  readonly c3: [number, number];
  readonly size: number;
}

function makeLayout(): ParamLayout {
  let off = 0;
  const seg = (n: number): [number, number] => {
    const s: [number, number] = [off, off + n];
    off += n;
    return s;
  };
  const W1 = seg(CONV1.cout * CONV1.cin * L * 2);
  const b1 = seg(6);
  const W2 = seg(CONV2.cout * CONV2.cin * L * 2);
  const b2 = seg(16);
  const F1 = seg(120 * 256);
  const c1 = seg(120);
  const F2 = seg(84 * 120);
  const c2 = seg(84);
  const F3 = seg(10 * 84);
  const c3 = seg(10);
  return { W1, b1, W2, b2, F1, c1, F2, c2, F3, c3, size: off };
}

export const LAYOUT = makeLayout();

export function view(theta: Float64Array, s: [number, number]): Float64Array {
  return theta.subarray(s[0], s[1]);
}

/** He-normal initialisation; conv kernels drawn spatially and transformed (so they start Hermitian). */
export function initParams(seed: number): Float64Array {
  const rng = new Rng(seed);
  const theta = new Float64Array(LAYOUT.size);
  const w1 = Float64Array.from({ length: 6 * 25 }, () => rng.normal() * Math.sqrt(2 / 25));
  view(theta, LAYOUT.W1).set(spatialToSpectral(CONV1, w1));
  const w2 = Float64Array.from({ length: 16 * 6 * 25 }, () => rng.normal() * Math.sqrt(2 / 150));
  view(theta, LAYOUT.W2).set(spatialToSpectral(CONV2, w2));
  const fc = (s: [number, number], fanIn: number): void => {
    for (let q = s[0]; q < s[1]; q++) theta[q] = rng.normal() * Math.sqrt(2 / fanIn);
  };
  fc(LAYOUT.F1, 256);
  fc(LAYOUT.F2, 120);
  fc(LAYOUT.F3, 84);
  return theta;
}

function maxpool2(x: Float64Array, c: number, h: number, w: number, arg: Int32Array | undefined): Float64Array {
  const ho = h >> 1;
  const wo = w >> 1;
  const y = new Float64Array(c * ho * wo);
  for (let ch = 0; ch < c; ch++) {
    for (let r = 0; r < ho; r++) {
      for (let q = 0; q < wo; q++) {
        const i0 = (ch * h + 2 * r) * w + 2 * q;
        let best = i0;
        if (x[i0 + 1]! > x[best]!) best = i0 + 1;
        if (x[i0 + w]! > x[best]!) best = i0 + w;
        if (x[i0 + w + 1]! > x[best]!) best = i0 + w + 1;
        const o = (ch * ho + r) * wo + q;
        y[o] = x[best]!;
        if (arg) arg[o] = best;
      }
    }
  }
  return y;
}

function fcForward(W: Float64Array, b: Float64Array, x: Float64Array, nout: number, nin: number, relu: boolean): Float64Array {
  const y = new Float64Array(nout);
  for (let o = 0; o < nout; o++) {
    let s = b[o]!;
    const base = o * nin;
    for (let i = 0; i < nin; i++) s += W[base + i]! * x[i]!;
    y[o] = relu && s < 0 ? 0 : s;
  }
  return y;
}

/** dy already masked by the ReLU; accumulates dW, db, returns dx */
function fcBackward(W: Float64Array, x: Float64Array, dy: Float64Array, nout: number, nin: number, dW: Float64Array, db: Float64Array): Float64Array {
  const dx = new Float64Array(nin);
  for (let o = 0; o < nout; o++) {
    const g = dy[o]!;
    if (g === 0) continue;
    db[o] += g;
    const base = o * nin;
    for (let i = 0; i < nin; i++) {
      dW[base + i] += g * x[i]!;
      dx[i] += g * W[base + i]!;
    }
  }
  return dx;
}

/** Conv-stage outputs, so that the fixed-point evaluation can replace them. */
export interface ConvStages {
  /** conv1 output after ReLU (6 x 24 x 24) */
  a1: Float64Array;
  /** conv2 output after ReLU (16 x 8 x 8) */
  a2: Float64Array;
}

export class LeNet {
  readonly conv1 = new SpectralConv(CONV1);
  readonly conv2 = new SpectralConv(CONV2);
  private readonly X1 = new Float64Array(this.conv1.tiles * CONV1.cin * 2 * L);
  private readonly X2 = new Float64Array(this.conv2.tiles * CONV2.cin * 2 * L);
  private readonly arg1 = new Int32Array(6 * 12 * 12);
  private readonly arg2 = new Int32Array(16 * 4 * 4);

  /** conv part only: returns ReLU'd conv outputs */
  convStages(theta: Float64Array, img: ArrayLike<number>): ConvStages {
    const a1 = this.conv1.forward(img, view(theta, LAYOUT.W1), view(theta, LAYOUT.b1), { X: this.X1 });
    for (let q = 0; q < a1.length; q++) if (a1[q]! < 0) a1[q] = 0;
    const p1 = maxpool2(a1, 6, 24, 24, this.arg1);
    const a2 = this.conv2.forward(p1, view(theta, LAYOUT.W2), view(theta, LAYOUT.b2), { X: this.X2 });
    for (let q = 0; q < a2.length; q++) if (a2[q]! < 0) a2[q] = 0;
    return { a1, a2 };
  }

  /** logits from the conv2 output (after ReLU, 16x8x8) */
  head(theta: Float64Array, a2: Float64Array): Float64Array {
    const p2 = maxpool2(a2, 16, 8, 8, undefined);
    const h1 = fcForward(view(theta, LAYOUT.F1), view(theta, LAYOUT.c1), p2, 120, 256, true);
    const h2 = fcForward(view(theta, LAYOUT.F2), view(theta, LAYOUT.c2), h1, 84, 120, true);
    return fcForward(view(theta, LAYOUT.F3), view(theta, LAYOUT.c3), h2, 10, 84, false);
  }

  predict(theta: Float64Array, img: ArrayLike<number>): number {
    return argmax(this.head(theta, this.convStages(theta, img).a2));
  }

  /** Cross-entropy loss of one sample; accumulates its gradient into `grad` (same layout as theta). */
  lossAndGrad(theta: Float64Array, img: ArrayLike<number>, label: number, grad: Float64Array): { loss: number; correct: boolean } {
    const { a1, a2 } = this.convStages(theta, img);
    const p1 = maxpool2(a1, 6, 24, 24, this.arg1);
    const p2 = maxpool2(a2, 16, 8, 8, this.arg2);
    const F1 = view(theta, LAYOUT.F1);
    const F2 = view(theta, LAYOUT.F2);
    const F3 = view(theta, LAYOUT.F3);
    const h1 = fcForward(F1, view(theta, LAYOUT.c1), p2, 120, 256, true);
    const h2 = fcForward(F2, view(theta, LAYOUT.c2), h1, 84, 120, true);
    const z = fcForward(F3, view(theta, LAYOUT.c3), h2, 10, 84, false);
    let m = -Infinity;
    for (const v of z) m = Math.max(m, v);
    let s = 0;
    const pr = new Float64Array(10);
    for (let c = 0; c < 10; c++) s += pr[c] = Math.exp(z[c]! - m);
    for (let c = 0; c < 10; c++) pr[c]! /= s;
    const loss = -Math.log(Math.max(pr[label]!, 1e-300));
    const correct = argmax(z) === label;
    pr[label]! -= 1; // dL/dz
    const dh2 = fcBackward(F3, h2, pr, 10, 84, view(grad, LAYOUT.F3), view(grad, LAYOUT.c3));
    for (let q = 0; q < 84; q++) if (h2[q]! <= 0) dh2[q] = 0;
    const dh1 = fcBackward(F2, h1, dh2, 84, 120, view(grad, LAYOUT.F2), view(grad, LAYOUT.c2));
    for (let q = 0; q < 120; q++) if (h1[q]! <= 0) dh1[q] = 0;
    const dp2 = fcBackward(F1, p2, dh1, 120, 256, view(grad, LAYOUT.F1), view(grad, LAYOUT.c1));
    const da2 = new Float64Array(16 * 64);
    for (let q = 0; q < 256; q++) da2[this.arg2[q]!] += dp2[q]!;
    for (let q = 0; q < da2.length; q++) if (a2[q]! <= 0) da2[q] = 0;
    const g2 = this.conv2.backward(this.X2, view(theta, LAYOUT.W2), da2, { needDx: true, dW: view(grad, LAYOUT.W2), db: view(grad, LAYOUT.b2) });
    const dp1 = g2.dx!;
    const da1 = new Float64Array(6 * 576);
    for (let q = 0; q < dp1.length; q++) da1[this.arg1[q]!] += dp1[q]!;
    for (let q = 0; q < da1.length; q++) if (a1[q]! <= 0) da1[q] = 0;
    this.conv1.backward(this.X1, view(theta, LAYOUT.W1), da1, { needDx: false, dW: view(grad, LAYOUT.W1), db: view(grad, LAYOUT.b1) });
    return { loss, correct };
  }
}

export function argmax(z: ArrayLike<number>): number {
  let b = 0;
  for (let c = 1; c < z.length; c++) if (z[c]! > z[b]!) b = c;
  return b;
}

export { maxpool2 };
