/**
 * Floating-point spectral convolution with overlap-and-add (SPEC2.md section 1).
 *
 * Tensors are flat Float64Arrays, channel-major: x[i][r][c] at (i * H + r) * W + c.
 * Spectral weights: W[o][i] is a half-plane spectrum (layout.ts), interleaved complex,
 * at offset ((o * cin + i) * L) * 2 with L = K*(K/2+1).
 *
 * Forward, per T x T tile of the padded input (T = K - k + 1):
 *   X[i] = rfft2(tile_i zero-padded to K x K)                 (unnormalised DFT, half plane)
 *   A[o] = sum_i X[i] .* W[o][i]
 *   block[o] = irfft2(A[o])                                    (convention in fft2.ts)
 * blocks are overlap-added at stride T into Z[o]; y[o][r][c] = Z[o][r+k-1][c+k-1] + b[o].
 * With W[o][i] = rfft2(flipped spatial kernel) this is exactly the spatial convolution.
 *
 * Backward (complex gradient g = dL/dRe + j dL/dIm):
 *   gA[o]   = (m_v / K^2) rfft2(dblock[o])      (adjoint of irfft2)
 *   gW[o][i] += conj(X[i]) gA[o],   gX[i] = sum_o conj(W[o][i]) gA[o]
 *   dtile_i = K^2 irfft2(gX[i] / m_v)           (adjoint of rfft2), first T x T entries.
 */
import { rfft2, irfft2, scratch } from "./fft2";
import { checkKernelFits, halfCols, halfPlaneSize, columnMultiplicity } from "./layout";

export interface ConvShape {
  readonly cin: number;
  readonly cout: number;
  readonly h: number;
  readonly w: number;
  /** odd kernel size */
  readonly k: number;
  /** zero padding on each side */
  readonly p: number;
  /** FFT size, power of two > k */
  readonly K: number;
}

export interface ConvPlan extends ConvShape {
  readonly T: number;
  readonly hp: number;
  readonly wp: number;
  readonly ho: number;
  readonly wo: number;
  readonly tilesY: number;
  readonly tilesX: number;
  /** half-plane entries per kernel */
  readonly L: number;
}

export function makePlan(s: ConvShape): ConvPlan {
  for (const key of ["cin", "cout", "h", "w", "p"] as const) {
    const v = s[key];
    if (!Number.isInteger(v) || v < (key === "p" ? 0 : 1)) throw new Error(`conv shape: ${key} = ${v} is invalid`);
  }
  checkKernelFits(s.K, s.k);
  const T = s.K - s.k + 1;
  const hp = s.h + 2 * s.p;
  const wp = s.w + 2 * s.p;
  const ho = hp - s.k + 1;
  const wo = wp - s.k + 1;
  if (ho < 1 || wo < 1) throw new Error(`conv shape: input ${s.h}x${s.w} with padding ${s.p} is smaller than the kernel ${s.k}`);
  return {
    ...s,
    T,
    hp,
    wp,
    ho,
    wo,
    tilesY: Math.ceil(hp / T),
    tilesX: Math.ceil(wp / T),
    L: halfPlaneSize(s.K),
  };
}

/** Direct spatial cross-correlation (SPEC2.md section 1), w[o][i][a][b] at ((o*cin+i)*k+a)*k+b. */
export function spatialConv(s: ConvShape, x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number>): Float64Array {
  const pl = makePlan(s);
  const { cin, cout, h, w: W, k, p, ho, wo } = pl;
  const y = new Float64Array(cout * ho * wo);
  for (let o = 0; o < cout; o++) {
    for (let r = 0; r < ho; r++) {
      for (let c = 0; c < wo; c++) {
        let acc = bias[o]!;
        for (let i = 0; i < cin; i++) {
          for (let a = 0; a < k; a++) {
            const rr = r + a - p;
            if (rr < 0 || rr >= h) continue;
            for (let b = 0; b < k; b++) {
              const cc = c + b - p;
              if (cc < 0 || cc >= W) continue;
              acc += x[(i * h + rr) * W + cc]! * w[((o * cin + i) * k + a) * k + b]!;
            }
          }
        }
        y[(o * ho + r) * wo + c] = acc;
      }
    }
  }
  return y;
}

/** Spectral weights of a spatial kernel bank: W[o][i] = rfft2(flip(w[o][i]) zero-padded to K x K). */
export function spatialToSpectral(s: ConvShape, w: ArrayLike<number>): Float64Array {
  const pl = makePlan(s);
  const { cin, cout, k, K, L } = pl;
  const out = new Float64Array(cout * cin * L * 2);
  const tile = new Float64Array(K * K);
  const buf = scratch(K);
  const spec = new Float64Array(2 * L);
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < cin; i++) {
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          tile[a * K + b] = w[((o * cin + i) * k + (k - 1 - a)) * k + (k - 1 - b)]!;
        }
      }
      rfft2(K, tile, 0, K, k, k, spec, buf);
      out.set(spec, (o * cin + i) * L * 2);
    }
  }
  return out;
}

/** Cached forward state needed by the backward pass. */
export interface ConvCache {
  /** tile spectra, [tile][i] half-plane, interleaved complex */
  readonly X: Float64Array;
}

export interface ConvGrads {
  /** gradient wrt the input (undefined when not requested) */
  readonly dx: Float64Array | undefined;
  /** gradient wrt the spectral weights, layout as W (re/im parts: dL/dRe, dL/dIm) */
  readonly dW: Float64Array;
  readonly db: Float64Array;
}

/** Spectral convolution operator with its scratch buffers (not reentrant). */
export class SpectralConv {
  readonly plan: ConvPlan;
  private readonly buf: Float64Array;
  private readonly tile: Float64Array;
  private readonly acc: Float64Array;
  private readonly block: Float64Array;
  private readonly invM: Float64Array;
  private readonly m: Float64Array;

  constructor(shape: ConvShape) {
    this.plan = makePlan(shape);
    const { K, L, cout } = this.plan;
    this.buf = scratch(K);
    this.tile = new Float64Array(K * K);
    this.acc = new Float64Array(2 * L * cout);
    this.block = new Float64Array(K * K);
    const C = halfCols(K);
    this.m = new Float64Array(C);
    this.invM = new Float64Array(C);
    for (let v = 0; v < C; v++) {
      this.m[v] = columnMultiplicity(K, v);
      this.invM[v] = 1 / this.m[v]!;
    }
  }

  /** Number of tiles. */
  get tiles(): number {
    return this.plan.tilesY * this.plan.tilesX;
  }

  /** Tile spectra of an input: [tile][i] half-plane. */
  inputSpectra(x: ArrayLike<number>, out?: Float64Array): Float64Array {
    const { cin, h, w, p, K, T, tilesY, tilesX, L } = this.plan;
    const X = out ?? new Float64Array(tilesY * tilesX * cin * 2 * L);
    const tile = this.tile;
    for (let ty = 0; ty < tilesY; ty++) {
      for (let tx = 0; tx < tilesX; tx++) {
        const t = ty * tilesX + tx;
        for (let i = 0; i < cin; i++) {
          // tile rows/cols in padded coordinates: ty*T + a, tx*T + b (a, b < T)
          for (let a = 0; a < T; a++) {
            const r = ty * T + a - p;
            for (let b = 0; b < T; b++) {
              const c = tx * T + b - p;
              tile[a * K + b] = r >= 0 && r < h && c >= 0 && c < w ? x[(i * h + r) * w + c]! : 0;
            }
          }
          const sub = X.subarray((t * cin + i) * 2 * L, (t * cin + i + 1) * 2 * L);
          rfft2(K, tile, 0, K, T, T, sub, this.buf);
        }
      }
    }
    return X;
  }

  forward(x: ArrayLike<number>, W: ArrayLike<number>, bias: ArrayLike<number>, cache?: { X?: Float64Array }): Float64Array {
    const { cin, cout, K, T, k, ho, wo, tilesY, tilesX, L } = this.plan;
    const X = this.inputSpectra(x, cache?.X);
    const y = new Float64Array(cout * ho * wo);
    for (let o = 0; o < cout; o++) y.fill(bias[o]!, o * ho * wo, (o + 1) * ho * wo);
    const A = this.acc;
    const block = this.block;
    const L2 = 2 * L;
    for (let ty = 0; ty < tilesY; ty++) {
      for (let tx = 0; tx < tilesX; tx++) {
        const t = ty * tilesX + tx;
        const r0 = ty * T - (k - 1);
        const c0 = tx * T - (k - 1);
        const aLo = Math.max(0, -r0);
        const aHi = Math.min(K, ho - r0);
        const bLo = Math.max(0, -c0);
        const bHi = Math.min(K, wo - c0);
        if (aHi <= aLo || bHi <= bLo) continue;
        for (let o = 0; o < cout; o++) {
          A.fill(0, 0, L2);
          for (let i = 0; i < cin; i++) {
            const xo = (t * cin + i) * L2;
            const wo_ = (o * cin + i) * L2;
            for (let j = 0; j < L2; j += 2) {
              const xr = X[xo + j]!;
              const xi = X[xo + j + 1]!;
              const wr = W[wo_ + j]!;
              const wi = W[wo_ + j + 1]!;
              A[j] += xr * wr - xi * wi;
              A[j + 1] += xr * wi + xi * wr;
            }
          }
          irfft2(K, A, 0, block, this.buf, aHi, bHi);
          for (let a = aLo; a < aHi; a++) {
            const yrow = (o * ho + r0 + a) * wo + c0;
            for (let b = bLo; b < bHi; b++) y[yrow + b] += block[a * K + b]!;
          }
        }
      }
    }
    return y;
  }

  /**
   * Backward pass. `X` are the tile spectra from forward (cache), `dy` the output gradient.
   * Gradients are accumulated into `dW` and `db` if given.
   */
  backward(
    X: Float64Array,
    W: ArrayLike<number>,
    dy: ArrayLike<number>,
    opts: { needDx?: boolean; dW?: Float64Array; db?: Float64Array } = {},
  ): ConvGrads {
    const { cin, cout, h, w, p, K, T, k, ho, wo, tilesY, tilesX, L } = this.plan;
    const L2 = 2 * L;
    const dW = opts.dW ?? new Float64Array(cout * cin * L2);
    const db = opts.db ?? new Float64Array(cout);
    const needDx = opts.needDx ?? true;
    const dx = needDx ? new Float64Array(cin * h * w) : undefined;
    for (let o = 0; o < cout; o++) {
      let s = 0;
      for (let q = o * ho * wo; q < (o + 1) * ho * wo; q++) s += dy[q]!;
      db[o] += s;
    }
    const gA = new Float64Array(cout * L2);
    const gX = this.acc.subarray(0, L2);
    const block = this.block;
    const invK2 = 1 / (K * K);
    for (let ty = 0; ty < tilesY; ty++) {
      for (let tx = 0; tx < tilesX; tx++) {
        const t = ty * tilesX + tx;
        const r0 = ty * T - (k - 1);
        const c0 = tx * T - (k - 1);
        const aLo = Math.max(0, -r0);
        const aHi = Math.min(K, ho - r0);
        const bLo = Math.max(0, -c0);
        const bHi = Math.min(K, wo - c0);
        if (aHi <= aLo || bHi <= bLo) continue;
        for (let o = 0; o < cout; o++) {
          block.fill(0);
          for (let a = aLo; a < aHi; a++) {
            const yrow = (o * ho + r0 + a) * wo + c0;
            for (let b = bLo; b < bHi; b++) block[a * K + b] = dy[yrow + b]!;
          }
          rfft2(K, block, 0, K, aHi, bHi, gA.subarray(o * L2, (o + 1) * L2), this.buf, invK2, this.m);
        }
        for (let i = 0; i < cin; i++) {
          const xo = (t * cin + i) * L2;
          if (needDx) gX.fill(0);
          for (let o = 0; o < cout; o++) {
            const wo_ = (o * cin + i) * L2;
            const go = o * L2;
            for (let j = 0; j < L2; j += 2) {
              const gr = gA[go + j]!;
              const gi = gA[go + j + 1]!;
              const xr = X[xo + j]!;
              const xi = X[xo + j + 1]!;
              dW[wo_ + j] += xr * gr + xi * gi;
              dW[wo_ + j + 1] += xr * gi - xi * gr;
              if (needDx) {
                const wr = W[wo_ + j]!;
                const wi = W[wo_ + j + 1]!;
                gX[j] += wr * gr + wi * gi;
                gX[j + 1] += wr * gi - wi * gr;
              }
            }
          }
          if (needDx) {
            const C = K / 2 + 1;
            for (let j = 0; j < L; j++) {
              const sc = this.invM[j % C]! * K * K;
              gX[2 * j] *= sc;
              gX[2 * j + 1] *= sc;
            }
            irfft2(K, gX, 0, block, this.buf, T, T);
            for (let a = 0; a < T; a++) {
              const r = ty * T + a - p;
              if (r < 0 || r >= h) continue;
              for (let b = 0; b < T; b++) {
                const c = tx * T + b - p;
                if (c < 0 || c >= w) continue;
                dx![(i * h + r) * w + c] += block[a * K + b]!;
              }
            }
          }
        }
      }
    }
    return { dx, dW, db };
  }
}
