/**
 * The spectral conv of the training engine: the operator of spectral/conv.ts (same tiling,
 * transforms and gradients) for K = 8 and *Hermitian* weights, which training keeps
 * (project.ts: symmetrize after every step). Checked against spectral/conv.ts in test/prune.
 *
 * Speed, not a new definition:
 *   - only the 34 independent half-plane positions are computed (fft8.ts): the complex-to-real
 *     inverse reads nothing else, and the six conjugate entries' gradients are conjugates;
 *   - position-major layouts, X[p][i][t], A[p][o][t], W[p][o][i], so each position is a small
 *     complex matrix product, blocked 2 x 2 with register accumulators (channel and tile
 *     counts padded to even with zeros);
 *   - with a mask (masked retraining) only the kept entries are multiplied, and only their
 *     gradients are formed (the others are zero);
 *   - unrolled 8-point transforms; buffers allocated once.
 * Usage per batch: setWeights, then per sample forward (+ backward), then addGrads.
 */
import { makePlan, type ConvPlan, type ConvShape } from "../spectral/conv";
import { CONJUGATE_OF, forward2d, inverse2d, MULTIPLICITY, P8, POSITIONS } from "./fft8";

const L = 40;

const even = (n: number): number => n + (n & 1);

/** Kept entries of one layer grouped for the sparse kernels (indices into the position-major arrays). */
interface SparseLists {
  /** by (p, o): start offsets into `oIn` (length P * cout + 1) and the input channel of each entry */
  readonly oStart: Int32Array;
  readonly oIn: Int32Array;
  /** by (p, i): start offsets into `iOut` and the output channel of each entry */
  readonly iStart: Int32Array;
  readonly iOut: Int32Array;
  /** weights of the entries in (p, o) order, and the same in (p, i) order (interleaved complex) */
  readonly wByO: Float64Array;
  readonly wByI: Float64Array;
  /** for the (p, i) order: index of the entry in the (p, o) order */
  readonly iToO: Int32Array;
  /** dW of the entries in (p, o) order */
  readonly dW: Float64Array;
}

export class TrainConv {
  readonly plan: ConvPlan;
  private readonly cinP: number;
  private readonly coutP: number;
  private readonly tP: number;
  private readonly tiles: number;
  /** tile geometry: [r0, c0, aLo, aHi, bLo, bHi] per tile */
  private readonly geo: Int32Array;
  private readonly X: Float64Array;
  private readonly S: Float64Array;
  private readonly GX: Float64Array;
  private readonly Wt: Float64Array;
  private readonly dWt: Float64Array;
  private readonly db: Float64Array;
  private readonly tile = new Float64Array(64);
  private readonly block = new Float64Array(64);
  private readonly scr = new Float64Array(80);
  private sparse: SparseLists | undefined;
  private bias: Float64Array = new Float64Array(0);

  constructor(shape: ConvShape) {
    if (shape.K !== 8) throw new Error(`TrainConv: K = ${shape.K}, only K = 8 is supported`);
    this.plan = makePlan(shape);
    const { cin, cout, tilesY, tilesX, T, k, ho, wo } = this.plan;
    this.tiles = tilesY * tilesX;
    this.cinP = even(cin);
    this.coutP = even(cout);
    this.tP = even(this.tiles);
    this.geo = new Int32Array(6 * this.tiles);
    for (let ty = 0; ty < tilesY; ty++) {
      for (let tx = 0; tx < tilesX; tx++) {
        const t = ty * tilesX + tx;
        const r0 = ty * T - (k - 1);
        const c0 = tx * T - (k - 1);
        this.geo.set([r0, c0, Math.max(0, -r0), Math.min(8, ho - r0), Math.max(0, -c0), Math.min(8, wo - c0)], 6 * t);
      }
    }
    this.X = new Float64Array(P8 * this.cinP * this.tP * 2);
    this.S = new Float64Array(P8 * this.coutP * this.tP * 2);
    this.GX = new Float64Array(P8 * this.cinP * this.tP * 2);
    this.Wt = new Float64Array(P8 * this.coutP * this.cinP * 2);
    this.dWt = new Float64Array(this.Wt.length);
    this.db = new Float64Array(cout);
  }

  /**
   * Loads the weights (spectral/conv.ts layout, W[o][i] half plane) and biases and clears the
   * gradients. With `mask` (1 = kept, [kernel][layout index]) only kept entries take part.
   */
  setWeights(W: ArrayLike<number>, bias: Float64Array, mask?: Uint8Array): void {
    const { cin, cout } = this.plan;
    const { cinP, coutP } = this;
    this.bias = bias;
    for (let p = 0; p < P8; p++) {
      const j = POSITIONS[p]!;
      for (let o = 0; o < cout; o++) {
        for (let i = 0; i < cin; i++) {
          const src = ((o * cin + i) * L + j) * 2;
          const dst = ((p * coutP + o) * cinP + i) * 2;
          this.Wt[dst] = W[src]!;
          this.Wt[dst + 1] = W[src + 1]!;
        }
      }
    }
    this.dWt.fill(0);
    this.db.fill(0);
    this.sparse = mask ? this.buildSparse(mask) : undefined;
  }

  private buildSparse(mask: Uint8Array): SparseLists {
    const { cin, cout } = this.plan;
    const { cinP, coutP } = this;
    const oStart = new Int32Array(P8 * cout + 1);
    const oIn: number[] = [];
    const oW: number[] = [];
    for (let p = 0; p < P8; p++) {
      const j = POSITIONS[p]!;
      for (let o = 0; o < cout; o++) {
        oStart[p * cout + o] = oIn.length;
        for (let i = 0; i < cin; i++) {
          if (!mask[(o * cin + i) * L + j]) continue;
          oIn.push(i);
          const q = ((p * coutP + o) * cinP + i) * 2;
          oW.push(this.Wt[q]!, this.Wt[q + 1]!);
        }
      }
    }
    oStart[P8 * cout] = oIn.length;
    // the same entries by (p, i)
    const iStart = new Int32Array(P8 * cin + 1);
    const iOut = new Int32Array(oIn.length);
    const wByI = new Float64Array(2 * oIn.length);
    const iToO = new Int32Array(oIn.length);
    const count = new Int32Array(P8 * cin);
    for (let p = 0; p < P8; p++) for (let o = 0; o < cout; o++) for (let e = oStart[p * cout + o]!; e < oStart[p * cout + o + 1]!; e++) count[p * cin + oIn[e]!]++;
    for (let q = 0; q < P8 * cin; q++) iStart[q + 1] = iStart[q]! + count[q]!;
    const fill = iStart.slice(0, P8 * cin);
    for (let p = 0; p < P8; p++) {
      for (let o = 0; o < cout; o++) {
        for (let e = oStart[p * cout + o]!; e < oStart[p * cout + o + 1]!; e++) {
          const d = fill[p * cin + oIn[e]!]!++;
          iOut[d] = o;
          iToO[d] = e;
          wByI[2 * d] = oW[2 * e]!;
          wByI[2 * d + 1] = oW[2 * e + 1]!;
        }
      }
    }
    return { oStart, oIn: Int32Array.from(oIn), iStart, iOut, wByO: Float64Array.from(oW), wByI, iToO, dW: new Float64Array(2 * oIn.length) };
  }

  /** y = conv(x) + bias (before any ReLU); keeps the input spectra for backward. */
  forward(x: ArrayLike<number>): Float64Array {
    this.spectra(x);
    if (this.sparse) this.macSparse(this.sparse);
    else this.macDense();
    return this.overlapAdd();
  }

  /** Input tile spectra X[p][i][t]. */
  private spectra(x: ArrayLike<number>): void {
    const { cin, h, w, p: pad, T, tilesX } = this.plan;
    const { tile, tP } = this;
    const stride = this.cinP * tP * 2;
    for (let t = 0; t < this.tiles; t++) {
      const ty = Math.floor(t / tilesX);
      const tx = t - ty * tilesX;
      for (let i = 0; i < cin; i++) {
        for (let a = 0; a < T; a++) {
          const r = ty * T + a - pad;
          const inRow = r >= 0 && r < h;
          for (let b = 0; b < 8; b++) {
            const c = tx * T + b - pad;
            tile[a * 8 + b] = inRow && b < T && c >= 0 && c < w ? x[(i * h + r) * w + c]! : 0;
          }
        }
        forward2d(tile, T, this.X, (i * tP + t) * 2, stride, this.scr);
      }
    }
  }

  /** S[p][o][t] = sum_i W[p][o][i] X[p][i][t], 2 x 2 blocks (o, t). */
  private macDense(): void {
    const { cin } = this.plan;
    const { cinP, coutP, tP, X, S, Wt } = this;
    const xs = tP * 2;
    for (let p = 0; p < P8; p++) {
      const wb = p * coutP * cinP * 2;
      const xb = p * cinP * tP * 2;
      const sb = p * coutP * tP * 2;
      for (let o = 0; o < coutP; o += 2) {
        const w0 = wb + o * cinP * 2;
        const w1 = w0 + cinP * 2;
        for (let t = 0; t < tP; t += 2) {
          let a00r = 0, a00i = 0, a01r = 0, a01i = 0, a10r = 0, a10i = 0, a11r = 0, a11i = 0;
          let xq = xb + t * 2;
          for (let i = 0; i < cin; i++, xq += xs) {
            const x0r = X[xq]!, x0i = X[xq + 1]!, x1r = X[xq + 2]!, x1i = X[xq + 3]!;
            const v0r = Wt[w0 + 2 * i]!, v0i = Wt[w0 + 2 * i + 1]!, v1r = Wt[w1 + 2 * i]!, v1i = Wt[w1 + 2 * i + 1]!;
            a00r += x0r * v0r - x0i * v0i;
            a00i += x0r * v0i + x0i * v0r;
            a01r += x1r * v0r - x1i * v0i;
            a01i += x1r * v0i + x1i * v0r;
            a10r += x0r * v1r - x0i * v1i;
            a10i += x0r * v1i + x0i * v1r;
            a11r += x1r * v1r - x1i * v1i;
            a11i += x1r * v1i + x1i * v1r;
          }
          const s0 = sb + (o * tP + t) * 2;
          const s1 = s0 + xs;
          S[s0] = a00r;
          S[s0 + 1] = a00i;
          S[s0 + 2] = a01r;
          S[s0 + 3] = a01i;
          S[s1] = a10r;
          S[s1 + 1] = a10i;
          S[s1 + 2] = a11r;
          S[s1 + 3] = a11i;
        }
      }
    }
  }

  /** As macDense over the kept entries only, 2 tiles at a time. */
  private macSparse(sp: SparseLists): void {
    const { cout } = this.plan;
    const { cinP, coutP, tP, X, S } = this;
    const { oStart, oIn, wByO } = sp;
    for (let p = 0; p < P8; p++) {
      const xb = p * cinP * tP * 2;
      const sb = p * coutP * tP * 2;
      for (let o = 0; o < cout; o++) {
        const e0 = oStart[p * cout + o]!;
        const e1 = oStart[p * cout + o + 1]!;
        const s0 = sb + o * tP * 2;
        for (let t = 0; t < tP; t += 2) {
          let a0r = 0, a0i = 0, a1r = 0, a1i = 0;
          for (let e = e0; e < e1; e++) {
            const xq = xb + (oIn[e]! * tP + t) * 2;
            const x0r = X[xq]!, x0i = X[xq + 1]!, x1r = X[xq + 2]!, x1i = X[xq + 3]!;
            const vr = wByO[2 * e]!, vi = wByO[2 * e + 1]!;
            a0r += x0r * vr - x0i * vi;
            a0i += x0r * vi + x0i * vr;
            a1r += x1r * vr - x1i * vi;
            a1i += x1r * vi + x1i * vr;
          }
          S[s0 + 2 * t] = a0r;
          S[s0 + 2 * t + 1] = a0i;
          S[s0 + 2 * t + 2] = a1r;
          S[s0 + 2 * t + 3] = a1i;
        }
      }
    }
  }

  /** Inverse transforms of S, overlap-added at stride T, plus the bias. */
  private overlapAdd(): Float64Array {
    const { cout, ho, wo } = this.plan;
    const { tP, block, geo, bias } = this;
    const y = new Float64Array(cout * ho * wo);
    for (let o = 0; o < cout; o++) y.fill(bias[o]!, o * ho * wo, (o + 1) * ho * wo);
    const stride = this.coutP * tP * 2;
    for (let t = 0; t < this.tiles; t++) {
      const r0 = geo[6 * t]!, c0 = geo[6 * t + 1]!, aLo = geo[6 * t + 2]!, aHi = geo[6 * t + 3]!, bLo = geo[6 * t + 4]!, bHi = geo[6 * t + 5]!;
      if (aHi <= aLo || bHi <= bLo) continue;
      for (let o = 0; o < cout; o++) {
        inverse2d(this.S, (o * tP + t) * 2, stride, aHi, block, this.scr);
        for (let a = aLo; a < aHi; a++) {
          const yrow = (o * ho + r0 + a) * wo + c0;
          for (let b = bLo; b < bHi; b++) y[yrow + b] += block[a * 8 + b]!;
        }
      }
    }
    return y;
  }

  /**
   * Backward pass of the last forward: accumulates the weight and bias gradients (read them
   * with addGrads) and returns dL/dx when `needDx`.
   */
  backward(dy: ArrayLike<number>, needDx: boolean): Float64Array | undefined {
    const { cout, ho, wo } = this.plan;
    const { tP, block, geo } = this;
    for (let o = 0; o < cout; o++) {
      let s = 0;
      for (let q = o * ho * wo; q < (o + 1) * ho * wo; q++) s += dy[q]!;
      this.db[o] += s;
    }
    // G[p][o][t] = rfft2(dblock) (unscaled: the m_v / K^2 of the adjoint goes to dW in addGrads,
    // and cancels against the K^2 / m_v of the input gradient)
    const stride = this.coutP * tP * 2;
    for (let t = 0; t < this.tiles; t++) {
      const r0 = geo[6 * t]!, c0 = geo[6 * t + 1]!, aLo = geo[6 * t + 2]!, aHi = geo[6 * t + 3]!, bLo = geo[6 * t + 4]!, bHi = geo[6 * t + 5]!;
      for (let o = 0; o < cout; o++) {
        block.fill(0);
        for (let a = aLo; a < aHi; a++) {
          const yrow = (o * ho + r0 + a) * wo + c0;
          for (let b = bLo; b < bHi; b++) block[a * 8 + b] = dy[yrow + b]!;
        }
        forward2d(block, Math.max(aHi, 0), this.S, (o * tP + t) * 2, stride, this.scr);
      }
    }
    if (this.sparse) this.dwSparse(this.sparse);
    else this.dwDense();
    if (!needDx) return undefined;
    if (this.sparse) this.gxSparse(this.sparse);
    else this.gxDense();
    return this.inputGrad();
  }

  /** dW[p][o][i] += sum_t conj(X[p][i][t]) G[p][o][t], 2 x 2 blocks (o, i). */
  private dwDense(): void {
    const { cinP, coutP, tP, X, S, dWt } = this;
    const T = this.tiles;
    for (let p = 0; p < P8; p++) {
      const xb = p * cinP * tP * 2;
      const sb = p * coutP * tP * 2;
      const wb = p * coutP * cinP * 2;
      for (let o = 0; o < coutP; o += 2) {
        const g0 = sb + o * tP * 2;
        const g1 = g0 + tP * 2;
        for (let i = 0; i < cinP; i += 2) {
          const x0 = xb + i * tP * 2;
          const x1 = x0 + tP * 2;
          let a00r = 0, a00i = 0, a01r = 0, a01i = 0, a10r = 0, a10i = 0, a11r = 0, a11i = 0;
          for (let t = 0; t < 2 * T; t += 2) {
            const p0r = X[x0 + t]!, p0i = X[x0 + t + 1]!, p1r = X[x1 + t]!, p1i = X[x1 + t + 1]!;
            const q0r = S[g0 + t]!, q0i = S[g0 + t + 1]!, q1r = S[g1 + t]!, q1i = S[g1 + t + 1]!;
            a00r += p0r * q0r + p0i * q0i;
            a00i += p0r * q0i - p0i * q0r;
            a01r += p1r * q0r + p1i * q0i;
            a01i += p1r * q0i - p1i * q0r;
            a10r += p0r * q1r + p0i * q1i;
            a10i += p0r * q1i - p0i * q1r;
            a11r += p1r * q1r + p1i * q1i;
            a11i += p1r * q1i - p1i * q1r;
          }
          const d0 = wb + (o * cinP + i) * 2;
          const d1 = d0 + cinP * 2;
          dWt[d0] += a00r;
          dWt[d0 + 1] += a00i;
          dWt[d0 + 2] += a01r;
          dWt[d0 + 3] += a01i;
          dWt[d1] += a10r;
          dWt[d1 + 1] += a10i;
          dWt[d1 + 2] += a11r;
          dWt[d1 + 3] += a11i;
        }
      }
    }
  }

  private dwSparse(sp: SparseLists): void {
    const { cout } = this.plan;
    const { cinP, coutP, tP, X, S } = this;
    const T2 = 2 * this.tiles;
    const { oStart, oIn, dW } = sp;
    for (let p = 0; p < P8; p++) {
      const xb = p * cinP * tP * 2;
      const sb = p * coutP * tP * 2;
      for (let o = 0; o < cout; o++) {
        const g = sb + o * tP * 2;
        for (let e = oStart[p * cout + o]!; e < oStart[p * cout + o + 1]!; e++) {
          const x = xb + oIn[e]! * tP * 2;
          let ar = 0, ai = 0;
          for (let t = 0; t < T2; t += 2) {
            const pr = X[x + t]!, pi = X[x + t + 1]!, qr = S[g + t]!, qi = S[g + t + 1]!;
            ar += pr * qr + pi * qi;
            ai += pr * qi - pi * qr;
          }
          dW[2 * e] += ar;
          dW[2 * e + 1] += ai;
        }
      }
    }
  }

  /** GX[p][i][t] = sum_o conj(W[p][o][i]) G[p][o][t], 2 x 2 blocks (i, t). */
  private gxDense(): void {
    const { cout } = this.plan;
    const { cinP, coutP, tP, S, Wt, GX } = this;
    const ws = cinP * 2;
    const gs = tP * 2;
    for (let p = 0; p < P8; p++) {
      const wb = p * coutP * cinP * 2;
      const sb = p * coutP * tP * 2;
      const xb = p * cinP * tP * 2;
      for (let i = 0; i < cinP; i += 2) {
        for (let t = 0; t < tP; t += 2) {
          let a00r = 0, a00i = 0, a01r = 0, a01i = 0, a10r = 0, a10i = 0, a11r = 0, a11i = 0;
          let wq = wb + i * 2;
          let gq = sb + t * 2;
          for (let o = 0; o < cout; o++, wq += ws, gq += gs) {
            const v0r = Wt[wq]!, v0i = Wt[wq + 1]!, v1r = Wt[wq + 2]!, v1i = Wt[wq + 3]!;
            const q0r = S[gq]!, q0i = S[gq + 1]!, q1r = S[gq + 2]!, q1i = S[gq + 3]!;
            a00r += v0r * q0r + v0i * q0i;
            a00i += v0r * q0i - v0i * q0r;
            a01r += v0r * q1r + v0i * q1i;
            a01i += v0r * q1i - v0i * q1r;
            a10r += v1r * q0r + v1i * q0i;
            a10i += v1r * q0i - v1i * q0r;
            a11r += v1r * q1r + v1i * q1i;
            a11i += v1r * q1i - v1i * q1r;
          }
          const d0 = xb + (i * tP + t) * 2;
          const d1 = d0 + gs;
          GX[d0] = a00r;
          GX[d0 + 1] = a00i;
          GX[d0 + 2] = a01r;
          GX[d0 + 3] = a01i;
          GX[d1] = a10r;
          GX[d1 + 1] = a10i;
          GX[d1 + 2] = a11r;
          GX[d1 + 3] = a11i;
        }
      }
    }
  }

  private gxSparse(sp: SparseLists): void {
    const { cin } = this.plan;
    const { cinP, coutP, tP, S, GX } = this;
    const { iStart, iOut, wByI } = sp;
    for (let p = 0; p < P8; p++) {
      const sb = p * coutP * tP * 2;
      const xb = p * cinP * tP * 2;
      for (let i = 0; i < cin; i++) {
        const e0 = iStart[p * cin + i]!;
        const e1 = iStart[p * cin + i + 1]!;
        const d = xb + i * tP * 2;
        for (let t = 0; t < tP; t += 2) {
          let a0r = 0, a0i = 0, a1r = 0, a1i = 0;
          for (let e = e0; e < e1; e++) {
            const gq = sb + (iOut[e]! * tP + t) * 2;
            const vr = wByI[2 * e]!, vi = wByI[2 * e + 1]!;
            const q0r = S[gq]!, q0i = S[gq + 1]!, q1r = S[gq + 2]!, q1i = S[gq + 3]!;
            a0r += vr * q0r + vi * q0i;
            a0i += vr * q0i - vi * q0r;
            a1r += vr * q1r + vi * q1i;
            a1i += vr * q1i - vi * q1r;
          }
          GX[d + 2 * t] = a0r;
          GX[d + 2 * t + 1] = a0i;
          GX[d + 2 * t + 2] = a1r;
          GX[d + 2 * t + 3] = a1i;
        }
      }
    }
  }

  /** dx: inverse transforms of GX (first T x T entries of each block), scattered to the tiles. */
  private inputGrad(): Float64Array {
    const { cin, h, w, p: pad, T, tilesX } = this.plan;
    const { tP, block } = this;
    const dx = new Float64Array(cin * h * w);
    const stride = this.cinP * tP * 2;
    for (let t = 0; t < this.tiles; t++) {
      const ty = Math.floor(t / tilesX);
      const tx = t - ty * tilesX;
      for (let i = 0; i < cin; i++) {
        inverse2d(this.GX, (i * tP + t) * 2, stride, T, block, this.scr);
        for (let a = 0; a < T; a++) {
          const r = ty * T + a - pad;
          if (r < 0 || r >= h) continue;
          for (let b = 0; b < T; b++) {
            const c = tx * T + b - pad;
            if (c >= 0 && c < w) dx[(i * h + r) * w + c] += block[a * 8 + b]!;
          }
        }
      }
    }
    return dx;
  }

  /**
   * dW += the weight gradient accumulated since setWeights, in the layout of spectral/conv.ts
   * (the conjugate entries get the conjugate gradient); db += the bias gradient.
   */
  addGrads(dW: Float64Array, db: Float64Array): void {
    const { cin, cout } = this.plan;
    const { cinP, coutP } = this;
    const sp = this.sparse;
    if (sp) {
      for (let p = 0; p < P8; p++) {
        for (let o = 0; o < cout; o++) {
          for (let e = sp.oStart[p * cout + o]!; e < sp.oStart[p * cout + o + 1]!; e++) {
            const q = ((p * coutP + o) * cinP + sp.oIn[e]!) * 2;
            this.dWt[q] = sp.dW[2 * e]!;
            this.dWt[q + 1] = sp.dW[2 * e + 1]!;
          }
        }
      }
    }
    for (let o = 0; o < cout; o++) {
      for (let i = 0; i < cin; i++) {
        const base = (o * cin + i) * L * 2;
        for (let p = 0; p < P8; p++) {
          const q = ((p * coutP + o) * cinP + i) * 2;
          const sc = MULTIPLICITY[p]! / 64;
          const j = POSITIONS[p]!;
          dW[base + 2 * j] += this.dWt[q]! * sc;
          dW[base + 2 * j + 1] += this.dWt[q + 1]! * sc;
        }
        for (let j = 0; j < L; j++) {
          const c = CONJUGATE_OF[j]!;
          if (c < 0) continue;
          const q = ((c * coutP + o) * cinP + i) * 2;
          const sc = MULTIPLICITY[c]! / 64;
          dW[base + 2 * j] += this.dWt[q]! * sc;
          dW[base + 2 * j + 1] -= this.dWt[q + 1]! * sc;
        }
      }
    }
    for (let o = 0; o < cout; o++) db[o] += this.db[o]!;
  }
}
