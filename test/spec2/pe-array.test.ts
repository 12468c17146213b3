/**
 * The SPEC2 PE array in Icarus Verilog against the golden model's accumulation and
 * macToIfftInput (spectral/fixed: complexMacFixed, macShift, macToIfftInput), for several
 * (Cin, Cout, n, K, pOut, pIn), several tiles back to back, random gaps on x_valid and random
 * stalls on y_ready; adversarial kernels for the accumulator read-modify-write; PE utilisation
 * measured in simulation against the cycle model; one configuration through the Verilog tools.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Bool, Input, Output, Reg, Rom, UInt, Vec, defineModule, elaborate, log2Ceil, when } from "../../hdl/core";
import { ComplexT } from "../../hdl/spec2/fixed";
import { PeArray, peArrayParams } from "../../hdl/spec2/pe-array";
import { buildSchedule, cyclesPerTile, withDigest } from "../../hdl/spec2/schedule";
import { fixedLayerOf, loadWeights } from "../../prune/weights";
import { simulate } from "../../sim";
import { complexMacFixed, defaultFormats, macShift, macToIfftInput, type FixedLayer, type SparseEntry } from "../../spectral/fixed";
import { randInt, rng } from "../helpers/rng";
import { expectCleanVerilog } from "../helpers/verilog-tools";

interface LayerSpec {
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

function makeLayer(s: LayerSpec): FixedLayer {
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
function makeInputs(layer: FixedLayer, tiles: number, seed: number, xMax = 32767): number[][][] {
  const r = rng(seed);
  const L = layer.K * (layer.K / 2 + 1);
  const val = (): number => (r() < 0.05 ? (r() < 0.5 ? -xMax - (xMax === 32767 ? 1 : 0) : xMax) : randInt(r, -xMax, xMax));
  return Array.from({ length: tiles }, () => Array.from({ length: layer.cin }, () => Array.from({ length: 2 * L }, val)));
}

/** Golden: per tile, per output channel o, per column v: K values [re, im] (u = 0..K-1). */
function golden(layer: FixedLayer, X: number[][][]): number[][][] {
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

interface BenchParams {
  readonly array: ReturnType<typeof peArrayParams>;
  /** input columns: K complex 16-bit words (u = 0 in the low bits) and x_last in the top bit */
  readonly stream: readonly bigint[];
}

/** The array fed from a ROM of input columns; `go` gates x_valid (random gaps), y_ready from the stimulus. */
const Bench = defineModule("PeArrayBench", (p: BenchParams) => {
  const { K } = p.array.layer;
  const xb = p.array.layer.formats.fftBits;
  const ib = p.array.layer.formats.ifftBits;
  const P = p.array.pOut * p.array.pIn;
  const n = p.stream.length;
  const go = Input(Bool());
  const y_ready = Input(Bool());
  const y_valid = Output(Bool());
  const y_last = Output(Bool());
  const y_col = Output(Vec(K, ComplexT(ib)));
  const macs = Output(UInt(log2Ceil(P + 1)));
  const x_ready = Output(Bool());
  const src = Rom(UInt(2 * K * xb + 1), [...p.stream, 0n]);
  const ptr = Reg(UInt(log2Ceil(n + 1)), { init: 0 });
  const word = src.readAsync(ptr);
  const dut = PeArray.instance(p.array, { name: "dut" });
  dut.x_valid.assign(go.and(ptr.lt(n)));
  dut.x_last.assign(word.bit(2 * K * xb));
  for (let u = 0; u < K; u++) {
    dut.x_col.at(u).re.assign(word.bits(2 * xb * u + 2 * xb - 1, 2 * xb * u + xb).asSInt());
    dut.x_col.at(u).im.assign(word.bits(2 * xb * u + xb - 1, 2 * xb * u).asSInt());
  }
  when(dut.x_valid.and(dut.x_ready), () => ptr.assign(ptr.addWrap(1)));
  dut.y_ready.assign(y_ready);
  y_valid.assign(dut.y_valid);
  y_last.assign(dut.y_last);
  for (let u = 0; u < K; u++) {
    y_col.at(u).re.assign(dut.y_col.at(u).re);
    y_col.at(u).im.assign(dut.y_col.at(u).im);
  }
  macs.assign(dut.macs);
  x_ready.assign(dut.x_ready);
  return { go, y_ready, y_valid, y_last, y_col, macs, x_ready };
});

function streamOf(layer: FixedLayer, X: number[][][]): bigint[] {
  const { K } = layer;
  const half = K / 2 + 1;
  const xb = layer.formats.fftBits;
  const mask = (1n << BigInt(xb)) - 1n;
  const words: bigint[] = [];
  for (const Xt of X) {
    for (const Xi of Xt) {
      for (let v = 0; v < half; v++) {
        let w = v === half - 1 ? 1n : 0n;
        for (let u = K - 1; u >= 0; u--) {
          const q = u * half + v;
          w = (w << BigInt(xb)) | (BigInt(Xi[2 * q]!) & mask);
          w = (w << BigInt(xb)) | (BigInt(Xi[2 * q + 1]!) & mask);
        }
        words.push(w);
      }
    }
  }
  return words;
}

interface RunResult {
  /** output columns in order: K values [re, im] */
  cols: number[][][];
  lasts: boolean[];
  /** cycle (after reset) of each output transfer */
  at: number[];
  /** sum of `macs` over the run */
  macSum: number;
  /** cycles simulated until the last output */
  cycles: number;
  maxMacs: number;
}

async function runArray(layer: FixedLayer, pOut: number, pIn: number, X: number[][][], opts: { seed: number; pGo: number; pReady: number; resetAfter?: number }): Promise<RunResult> {
  const array = peArrayParams(layer, pOut, pIn);
  const stream = streamOf(layer, X);
  const d = elaborate(Bench, { array, stream: withDigest(stream, { words: stream.length }) });
  const expected = X.length * layer.cout * (layer.K / 2 + 1);
  const sim = await simulate(d);
  const res: RunResult = { cols: [], lasts: [], at: [], macSum: 0, cycles: 0, maxMacs: 0 };
  try {
    await sim.reset(2);
    const r = rng(opts.seed);
    if (opts.resetAfter !== undefined) {
      // run part of the stream, then reset in the middle of it: everything starts again from scratch
      await sim.batch(Array.from({ length: opts.resetAfter }, () => ({ go: r() < opts.pGo ? 1 : 0, y_ready: r() < opts.pReady ? 1 : 0 })));
      await sim.reset(1);
    }
    let cycle = 0;
    const { K } = layer;
    const s = buildSchedule(layer, pOut, pIn);
    const limit = 50 + 4 * X.length * (cyclesPerTile(s).tile + 20) / Math.min(opts.pGo, opts.pReady);
    while (res.cols.length < expected) {
      if (cycle > limit) throw new Error(`no progress: ${res.cols.length} of ${expected} columns after ${cycle} cycles`);
      const stim = Array.from({ length: 256 }, () => ({ go: r() < opts.pGo ? 1 : 0, y_ready: r() < opts.pReady ? 1 : 0 }));
      const samples = await sim.batch(stim);
      samples.forEach((smp, k) => {
        const m = smp.macs as number;
        res.macSum += m;
        res.maxMacs = Math.max(res.maxMacs, m);
        if (smp.y_valid === 1 && stim[k]!.y_ready === 1 && res.cols.length < expected) {
          res.cols.push(Array.from({ length: K }, (_, u) => [smp[`y_col_${u}_re`] as number, smp[`y_col_${u}_im`] as number]));
          res.lasts.push(smp.y_last === 1);
          res.at.push(cycle + k);
          res.cycles = cycle + k + 1;
        }
      });
      cycle += stim.length;
    }
  } finally {
    await sim.close();
  }
  return res;
}

async function checkBitExact(spec: LayerSpec | FixedLayer, pOut: number, pIn: number, tiles: number, opts: { pGo: number; pReady: number; xMax?: number; resetAfter?: number }, seed = 0): Promise<RunResult> {
  const layer = "kernels" in spec ? spec : makeLayer(spec);
  seed += "seed" in spec ? spec.seed : 0;
  const X = makeInputs(layer, tiles, seed + 1000, opts.xMax);
  const want = golden(layer, X);
  const got = await runArray(layer, pOut, pIn, X, { seed: seed + 2000, ...opts });
  expect(got.cols.length).toBe(want.length);
  for (let c = 0; c < want.length; c++) {
    if (JSON.stringify(got.cols[c]) !== JSON.stringify(want[c])) {
      const half = layer.K / 2 + 1;
      throw new Error(`column ${c} (tile ${Math.floor(c / (layer.cout * half))}, o ${Math.floor(c / half) % layer.cout}, v ${c % half}): got ${JSON.stringify(got.cols[c])}, want ${JSON.stringify(want[c])}`);
    }
  }
  expect(got.lasts).toEqual(want.map((_, c) => c % (layer.K / 2 + 1) === layer.K / 2));
  const s = buildSchedule(layer, pOut, pIn);
  expect(got.macSum).toBe(tiles * s.macsPerTile);
  expect(got.maxMacs).toBeLessThanOrEqual(pOut * pIn);
  return got;
}

describe("PeArray is bit-exact with the golden accumulation and macToIfftInput", () => {
  it("LeNet conv1 shape: Cin 1, Cout 6, K 8, n 10, pOut 4 (does not divide 6), pIn 1; 3 tiles, gaps and stalls", async () => {
    await checkBitExact({ cin: 1, cout: 6, K: 8, n: 10, seed: 1 }, 4, 1, 3, { pGo: 0.7, pReady: 0.6 });
  });

  it("LeNet conv2 shape: Cin 6, Cout 16, K 8, n 10, pOut 5, pIn 4 (neither divides); 3 tiles, gaps and stalls", async () => {
    // macShift = 13 + 14 - 6 - 12 = 9: about 2^22 at full scale, so some columns saturate
    await checkBitExact({ cin: 6, cout: 16, K: 8, n: 10, seed: 2, outFrac: 12 }, 5, 4, 3, { pGo: 0.8, pReady: 0.5 });
  });

  it("dense n = L, K 4, Cin 3, Cout 2, pOut 2, pIn 2, exact left shift (macShift < 0) on small values", async () => {
    // macShift = 0 + 0 - 4 - 1 = -5
    await checkBitExact({ cin: 3, cout: 2, K: 4, n: 12, seed: 3, inFrac: 0, weightFrac: 0, outFrac: 1, wMax: 40 }, 2, 2, 3, { pGo: 0.9, pReady: 0.7, xMax: 300 });
  });

  it("K 16, Cin 3, Cout 3, n 24, pOut 2, pIn 2; 2 tiles", async () => {
    // macShift = 8 + 8 - 8 - 0 = 8: about 2^23 at full scale against ifftBits = 24
    await checkBitExact({ cin: 3, cout: 3, K: 16, n: 24, seed: 4, inFrac: 8, weightFrac: 8, outFrac: 0 }, 2, 2, 2, { pGo: 0.8, pReady: 0.8 });
  });

  it("more PEs than channels (pOut 4 > Cout 3, pIn 3 > Cin 2): idle PEs, 2 tiles", async () => {
    await checkBitExact({ cin: 2, cout: 3, K: 8, n: 7, seed: 8 }, 4, 3, 2, { pGo: 0.8, pReady: 0.7 });
  });

  it("a reset in the middle of a tile clears every partial accumulator (reset sweep)", async () => {
    await checkBitExact({ cin: 3, cout: 4, K: 8, n: 10, seed: 9 }, 2, 2, 2, { pGo: 1, pReady: 1, resetAfter: 70 });
  });

  it("no accumulator read-modify-write hazard: repeated indices back to back, across output channels, rounds and tiles", async () => {
    // every kernel: index 7 three times, then 7/8 alternating; oLoc = 1 (pOut = Cout) so the
    // last entry of a round and the first of the next one hit the same accumulator word, and
    // pOut = 1 (oLoc = Cout) so consecutive output channels follow each other in one PE.
    const indices = (_o: number, _i: number, j: number): number => (j < 3 ? 7 : j % 2 === 0 ? 7 : 8);
    await checkBitExact({ cin: 3, cout: 2, K: 8, n: 6, seed: 5, indices }, 2, 1, 3, { pGo: 1, pReady: 1 });
    // macShift = 6 + 0 - 6 - 0 = 0 (saturate only)
    await checkBitExact({ cin: 4, cout: 3, K: 8, n: 5, seed: 6, indices, inFrac: 6, weightFrac: 0, outFrac: 0, wMax: 64 }, 1, 2, 2, { pGo: 1, pReady: 0.5, xMax: 2000 });
    // dense n = L with every kernel in the same order, one PE: all of a tile's MACs in one PE
    await checkBitExact({ cin: 2, cout: 2, K: 4, n: 12, seed: 7, indices: (_o, _i, j) => j }, 1, 1, 2, { pGo: 1, pReady: 1 });
  });
});

describe("PeArray performance and Verilog", () => {
  // Steady state (x always valid, y always ready): the period between the last output columns of
  // consecutive tiles, averaged over the last two, against the model (schedule.ts cyclesPerTile)
  // max(MAC issue D, Cin*(K/2+1), Cout*(K/2+1), (D + Cout*(K/2+1) + 3) / 2).
  const configs: [string, LayerSpec, number, number][] = [
    ["conv1 1x6 P=2 (2x1)", { cin: 1, cout: 6, K: 8, n: 10, seed: 11 }, 2, 1],
    ["conv1 1x6 P=3 (3x1)", { cin: 1, cout: 6, K: 8, n: 10, seed: 11 }, 3, 1],
    ["conv1 1x6 P=6 (6x1)", { cin: 1, cout: 6, K: 8, n: 10, seed: 11 }, 6, 1],
    ["conv2 6x16 P=8 (4x2)", { cin: 6, cout: 16, K: 8, n: 10, seed: 12 }, 4, 2],
    ["conv2 6x16 P=12 (4x3)", { cin: 6, cout: 16, K: 8, n: 10, seed: 12 }, 4, 3],
    ["conv2 6x16 P=16 (8x2)", { cin: 6, cout: 16, K: 8, n: 10, seed: 12 }, 8, 2],
    ["conv2 6x16 P=20 (5x4)", { cin: 6, cout: 16, K: 8, n: 10, seed: 12 }, 5, 4],
  ];
  it("PE utilisation measured in simulation matches the cycle model", async () => {
    const rows: string[] = [];
    for (const [name, spec, pOut, pIn] of configs) {
      const layer = makeLayer(spec);
      const tiles = 4;
      const X = makeInputs(layer, tiles, 99);
      const got = await runArray(layer, pOut, pIn, X, { seed: 1, pGo: 1, pReady: 1 });
      const want = golden(layer, X);
      expect(got.cols).toEqual(want);
      const s = buildSchedule(layer, pOut, pIn);
      const model = cyclesPerTile(s);
      const perTile = layer.cout * s.half;
      const ends = Array.from({ length: tiles }, (_, t) => got.at[(t + 1) * perTile - 1]!);
      const periods = ends.slice(1).map((e, t) => e - ends[t]!);
      const steady = (periods[periods.length - 1]! + periods[periods.length - 2]!) / 2;
      expect(steady).toBe(model.tile);
      const utilSteady = s.macsPerTile / (s.P * steady);
      const utilRun = got.macSum / (s.P * got.cycles);
      rows.push(
        `${name.padEnd(24)} MACs/tile ${String(s.macsPerTile).padStart(4)}  ideal ${(s.macsPerTile / s.P).toFixed(1).padStart(6)}  ` +
          `D ${String(model.mac).padStart(4)}  model ${String(model.tile).padStart(5)}  in ${String(model.input).padStart(3)}  out ${String(model.drain).padStart(3)}  ` +
          `measured periods ${periods.join("/").padStart(11)}  utilisation steady ${(100 * utilSteady).toFixed(1).padStart(5)}%  ` +
          `whole run (${tiles} tiles, ${got.cycles} cycles) ${(100 * utilRun).toFixed(1).padStart(5)}%`,
      );
    }
    console.log(`PE utilisation (K 8, n 10, useful MACs / (P x cycles)):\n${rows.join("\n")}`);
  });

  it("emits Verilog that Icarus, Verilator and Yosys accept without warnings (conv2 shape, pOut 4, pIn 2)", async () => {
    const d = elaborate(PeArray, peArrayParams(makeLayer({ cin: 6, cout: 16, K: 8, n: 10, seed: 13 }), 4, 2));
    expect(d.ports.map((p) => p.name)).toEqual(expect.arrayContaining(["x_valid", "x_ready", "x_last", "x_col_0_re", "x_col_7_im", "y_valid", "y_ready", "y_last", "y_col_0_re", "y_col_7_im", "macs"]));
    expect(d.ports.find((p) => p.name === "y_col_0_re")!.width).toBe(22);
    await expectCleanVerilog(d.verilog, d.top);
  });
});

// The trained, pruned LeNet weights (prune/run.ts writes them to weights/lenet, or the directory
// in $SPEC2_WEIGHTS_DIR); runs when present.
const weightsDir = process.env.SPEC2_WEIGHTS_DIR ?? fileURLToPath(new URL("../../weights/lenet", import.meta.url));
describe.runIf(existsSync(`${weightsDir}/manifest.json`))("PeArray with the trained LeNet weights (weights/lenet)", () => {
  it("conv1 (pOut 2, pIn 1) and conv2 (pOut 4, pIn 2) are bit-exact on random spectra", async () => {
    const m = loadWeights(weightsDir);
    await checkBitExact(fixedLayerOf(m, 0), 2, 1, 2, { pGo: 0.9, pReady: 0.8 }, 21);
    await checkBitExact(fixedLayerOf(m, 1), 4, 2, 2, { pGo: 0.9, pReady: 0.8 }, 22);
  });
});
