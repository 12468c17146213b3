/**
 * The PE array's golden side for its tests: random sparse layers and input spectra, the golden
 * model's accumulation and macToIfftInput per output column (spectral/fixed, not the RTL code),
 * and the FFT lanes' input streams.
 */
import { complexMacFixed, defaultFormats, macShift, macToIfftInput, type FixedLayer, type SparseEntry } from "../../spectral/fixed";
import { randInt, rng } from "./rng";
import { Reg, Rom, UInt, log2Ceil, when, type Var } from "../../hdl/core";
import type { PeArray } from "../../hdl/spec2/pe-array";

export interface LayerSpec {
  cin: number;
  cout: number;
  K: number;
  n: number;
  seed: number;
  /** fraction bits: macShift = inFrac + weightFrac - 2 log2 K - outFrac */
  inFrac?: number;
  weightFrac?: number;
  outFrac?: number;
  /** weight magnitude bound (default full 16-bit) */
  wMax?: number;
  /** entries' indices: random distinct (default), or a fixed adversarial pattern */
  indices?: (o: number, i: number, j: number) => number;
}

export function makeLayer(s: LayerSpec): FixedLayer {
  const r = rng(s.seed);
  const L = s.K * (s.K / 2 + 1);
  const wMax = s.wMax ?? 32767;
  const val = (): number => (r() < 0.05 ? (r() < 0.5 ? -wMax - (wMax === 32767 ? 1 : 0) : wMax) : randInt(r, -wMax, wMax));
  const kernels: SparseEntry[][] = [];
  for (let o = 0; o < s.cout; o++) {
    for (let i = 0; i < s.cin; i++) {
      let idx: number[];
      if (s.indices) idx = Array.from({ length: s.n }, (_, j) => s.indices!(o, i, j));
      else {
        const all = Array.from({ length: L }, (_, q) => q);
        for (let q = L - 1; q > 0; q--) {
          const t = Math.floor(r() * (q + 1));
          [all[q], all[t]] = [all[t]!, all[q]!];
        }
        idx = all.slice(0, s.n).sort((a, b) => a - b);
      }
      kernels.push(idx.map((index) => ({ index, re: val(), im: val() })));
    }
  }
  const k = s.K === 4 ? 3 : 5;
  return {
    cin: s.cin, cout: s.cout, h: 12, w: 12, k, p: 0, K: s.K, relu: false,
    formats: defaultFormats(s.K, s.inFrac ?? 13, s.weightFrac ?? 14, s.outFrac ?? 9),
    kernels,
    bias: new Array<number>(s.cout).fill(0),
  };
}

/** Random half-plane spectra X[t][i] (2L words: re, im at 2*index), 16-bit, some full-scale. */
export function makeInputs(layer: FixedLayer, tiles: number, seed: number, xMax = 32767): number[][][] {
  const r = rng(seed);
  const L = layer.K * (layer.K / 2 + 1);
  const val = (): number => (r() < 0.05 ? (r() < 0.5 ? -xMax - (xMax === 32767 ? 1 : 0) : xMax) : randInt(r, -xMax, xMax));
  return Array.from({ length: tiles }, () => Array.from({ length: layer.cin }, () => Array.from({ length: 2 * L }, val)));
}

/** Golden: per tile, per output channel o, per column v: K values [re, im] (u = 0..K-1). */
export function golden(layer: FixedLayer, X: number[][][]): number[][][] {
  const { K, cin, cout } = layer;
  const half = K / 2 + 1;
  const L = K * half;
  const shift = macShift(K, layer.formats);
  const cols: number[][][] = [];
  for (const Xt of X) {
    for (let o = 0; o < cout; o++) {
      const re = new Array<number>(L).fill(0);
      const im = new Array<number>(L).fill(0);
      for (let i = 0; i < cin; i++) {
        for (const e of layer.kernels[o * cin + i]!) {
          [re[e.index], im[e.index]] = complexMacFixed(re[e.index]!, im[e.index]!, Xt[i]![2 * e.index]!, Xt[i]![2 * e.index + 1]!, e.re, e.im);
        }
      }
      for (let v = 0; v < half; v++) {
        cols.push(Array.from({ length: K }, (_, u) => [macToIfftInput(re[u * half + v]!, shift, layer.formats.ifftBits), macToIfftInput(im[u * half + v]!, shift, layer.formats.ifftBits)]));
      }
    }
  }
  return cols;
}

/** Lane l's input stream: channels i = l (mod lanes) of every tile, column by column. */
export function streamOf(layer: FixedLayer, X: number[][][], lanes: number, l: number): bigint[] {
  const { K } = layer;
  const half = K / 2 + 1;
  const xb = layer.formats.fftBits;
  const mask = (1n << BigInt(xb)) - 1n;
  const words: bigint[] = [];
  for (const Xt of X) {
    Xt.forEach((Xi, i) => {
      if (i % lanes !== l) return;
      for (let v = 0; v < half; v++) {
        let w = v === half - 1 ? 1n : 0n;
        for (let u = K - 1; u >= 0; u--) {
          const q = u * half + v;
          w = (w << BigInt(xb)) | (BigInt(Xi[2 * q]!) & mask);
          w = (w << BigInt(xb)) | (BigInt(Xi[2 * q + 1]!) & mask);
        }
        words.push(w);
      }
    });
  }
  return words;
}

/** The golden columns of lane j (of `lanes`): channels o = j (mod lanes) of every tile. */
export function laneColumns(layer: FixedLayer, want: number[][][], lanes: number, j: number): number[][][] {
  const half = layer.K / 2 + 1;
  return want.filter((_, c) => Math.floor(c / half) % layer.cout % lanes === j);
}


/**
 * Inside a test top: feeds the PE array `dut` its FFT lanes from ROMs of `streams` (lane l moves
 * while bit l of `go` is high) and brings its IFFT lanes out on `y` (lane j taken while bit j of
 * `ready` is high). Shared by the PE-array tops of the tests.
 */
export function wireArrayLanes(
  dut: ReturnType<typeof PeArray.instance>,
  streams: readonly (readonly bigint[])[],
  K: number,
  xb: number,
  lanes: { readonly go: Var; readonly ready: Var; readonly y: ArrayLanes; readonly count: number },
): void {
  streams.forEach((stream, l) => {
    const n = stream.length;
    const src = Rom(UInt(2 * K * xb + 1), [...stream, 0n], { name: `src${l}` });
    const ptr = Reg(UInt(log2Ceil(n + 1)), { init: 0, name: `ptr${l}` });
    const word = src.readAsync(ptr);
    const x = dut.x.at(l);
    x.valid.assign(lanes.go.bit(l).and(ptr.lt(n)));
    x.bits.last.assign(word.bit(2 * K * xb));
    for (let u = 0; u < K; u++) {
      x.bits.col.at(u).re.assign(word.bits(2 * xb * u + 2 * xb - 1, 2 * xb * u + xb).asSInt());
      x.bits.col.at(u).im.assign(word.bits(2 * xb * u + xb - 1, 2 * xb * u).asSInt());
    }
    when(x.valid.and(x.ready), () => ptr.assign(ptr.addWrap(1)));
  });
  for (let j = 0; j < lanes.count; j++) {
    const out = dut.y.at(j);
    const lane = lanes.y.at(j);
    out.ready.assign(lanes.ready.bit(j));
    lane.valid.assign(out.valid);
    lane.last.assign(out.bits.last);
    for (let u = 0; u < K; u++) {
      lane.col.at(u).re.assign(out.bits.col.at(u).re);
      lane.col.at(u).im.assign(out.bits.col.at(u).im);
    }
  }
}

/** The output lanes of a PE-array test top: Vec of { valid, last, col: Vec(K, complex) }. */
interface ArrayLanes {
  at(j: number): { readonly valid: Var; readonly last: Var; readonly col: { at(u: number): { readonly re: Var; readonly im: Var } } };
}
