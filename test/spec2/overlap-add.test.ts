/**
 * OverlapAdd in Icarus Verilog against goldenConvLayer: the input beats are the golden model's
 * blocks (its trace), two rows per beat, for one lane's output channels; several images back to
 * back; the whole output sequence (order, channel, row, column group, mask, values, out_last) is
 * compared with the documented order. Shapes: LeNet conv1 and conv2, k3 p1 with maps not
 * multiples of T, K = 4, 8, 16, k = 1; lanes 1, 2, 3; random input gaps. Biases at the range ends
 * on some channels make outputs saturate (and ReLU clip). At full input rate, overrun stays low
 * exactly when overlapAddKeepsUp says so (a case at equality and one past it).
 */
import { describe, expect, it } from "vitest";
import { FAST_BACKEND } from "../helpers/sim-backend";
import { elaborate } from "../../hdl/core";
import {
  OVERLAP_ADD_LATENCY, OverlapAdd, overlapAddBandCycles, overlapAddBeatsPerTileRow, overlapAddEmitCyclesPerBand, overlapAddKeepsUp,
  type OverlapAddParams,
} from "../../hdl/spec2/overlap-add";
import { randomLayer, type LayerShape } from "../../hdl/spec2/perf/random-layer";
import { makePlan } from "../../spectral/conv";
import { goldenConvLayer, quantizeActivations, type FixedLayer, type TileTrace } from "../../spectral/fixed";
import { runBatch, type Sample, type Stimulus } from "../../sim";
import { rng } from "../helpers/rng";
import { expectCleanVerilog } from "../helpers/verilog-tools";

type Shape = Pick<LayerShape, "cin" | "cout" | "h" | "w" | "k" | "p" | "K"> & { readonly relu: boolean };

/** A random pruned layer; channels o = 1, 2 (mod 3) get biases near the range ends, so their outputs saturate. */
function layerOf(s: Shape, seed: number): FixedLayer {
  const layer = randomLayer({ ...s, density: 0.5, pOut: 1, pIn: 1 }, seed).acc.layer;
  return { ...layer, bias: layer.bias.map((b, o) => [b, 32000, -32000][o % 3]!) };
}

function inputMap(layer: FixedLayer, r: () => number): Int32Array {
  const x = Float64Array.from({ length: layer.cin * layer.h * layer.w }, () => r() * 2 - 1);
  return quantizeActivations(x, layer.formats.inFrac, layer.formats.actBits);
}

interface Group {
  readonly channel: number;
  readonly row: number;
  readonly col: number;
  readonly mask: number;
  readonly values: number[];
  readonly last: number;
}

/** The beats of one image for the lane (tile > lane channel > pair), and its output groups in the documented order. */
function image(p: OverlapAddParams, x: Int32Array): { beats: number[][][]; groups: Group[] } {
  const { layer } = p;
  const lanes = p.lanes ?? 1;
  const lane = p.lane ?? 0;
  const { K, T, k, cout, ho, wo, hp, tilesY } = makePlan(layer);
  const traces: TileTrace[] = [];
  const y = goldenConvLayer(layer, x, (t) => traces.push(t));
  const mine = Array.from({ length: Math.ceil((cout - lane) / lanes) }, (_, m) => lane + m * lanes);
  const beats: number[][][] = [];
  for (const t of traces)
    for (const o of mine)
      for (let j = 0; j < K / 2; j++) beats.push([0, 1].map((s) => Array.from(t.blocks[o]!.subarray((2 * j + s) * K, (2 * j + s + 1) * K))));
  const groups: Group[] = [];
  for (let ty = 0; ty < tilesY; ty++)
    for (const o of mine)
      for (let a = 0; a < T; a++) {
        const row = ty * T + a - (k - 1);
        if (row < 0 || row >= ho) continue;
        for (let col = 0; col < wo; col += K) {
          const n = Math.min(K, wo - col);
          const values = Array.from({ length: K }, (_, i) => (i < n ? y[(o * ho + row) * wo + col + i]! : 0));
          const last = ty === tilesY - 1 && o === mine.at(-1) && row + k - 1 === hp - 1 && col + K >= wo ? 1 : 0;
          groups.push({ channel: o, row, col, mask: 2 ** n - 1, values, last });
        }
      }
  return { beats, groups };
}

interface Case {
  readonly shape: Shape;
  readonly lanes: number;
  readonly lane: number;
  readonly images: number;
}

/** The fewest cycles per block at the input for which overlapAddKeepsUp holds. */
function pace(p: OverlapAddParams): number {
  let cycles = p.layer.K / 2;
  while (!overlapAddKeepsUp(p, cycles)) cycles++;
  return cycles;
}

/**
 * Runs `images` random images through the lane's unit; `gap(n)` idle cycles follow beat n, and
 * with `paced` each block is stretched to pace(p) cycles. Returns the output groups, the overrun
 * flag at the end and the cycle of every group.
 */
async function run(c: Case, seed: number, gap: (beat: number, r: () => number) => number, opts: { lint?: boolean; paced?: boolean } = {}) {
  const layer = layerOf(c.shape, seed);
  const p: OverlapAddParams = { layer, lanes: c.lanes, lane: c.lane };
  const design = elaborate(OverlapAdd, p);
  if (opts.lint) await expectCleanVerilog(design.verilog, design.top);
  const r = rng(seed);
  const K = layer.K;
  const stretch = opts.paced ? pace(p) - K / 2 : 0;
  const stimulus: Stimulus[] = [];
  const expected: Group[] = [];
  let n = 0;
  for (let q = 0; q < c.images; q++) {
    const { beats, groups } = image(p, inputMap(layer, r));
    expected.push(...groups);
    for (const beat of beats) {
      const st: Record<string, number> = { in_valid: 1 };
      beat.forEach((row, s) => row.forEach((v, i) => (st[`in_rows_${s}_${i}`] = v)));
      stimulus.push(st);
      const blockEnd = n % (K / 2) === K / 2 - 1;
      for (let i = gap(n++, r) + (blockEnd ? stretch : 0); i > 0; i--) stimulus.push({ in_valid: 0 });
    }
  }
  for (let i = 0; i < overlapAddEmitCyclesPerBand(p) + OVERLAP_ADD_LATENCY + 2; i++) stimulus.push({ in_valid: 0 });
  const samples = await runBatch(design, stimulus, { backend: FAST_BACKEND, resetCycles: 1 });
  const got: Group[] = [];
  const cycles: number[] = [];
  samples.forEach((s: Sample, cycle) => {
    if (s.out_valid !== 1) return;
    cycles.push(cycle);
    got.push({
      channel: Number(s.out_channel), row: Number(s.out_row), col: Number(s.out_col), mask: Number(s.out_mask),
      values: Array.from({ length: K }, (_, i) => Number(s[`out_values_${i}`])), last: Number(s.out_last),
    });
  });
  return { p, got, expected, overrun: Number(samples.at(-1)!.overrun), cycles, samples };
}

const randomGaps = (_beat: number, r: () => number): number => (r() < 0.2 ? 1 + Math.floor(r() * 3) : 0);

async function bitExact(c: Case, seed: number, lint = false): Promise<void> {
  const { got, expected, overrun } = await run(c, seed, randomGaps, { lint, paced: true });
  expect(overrun).toBe(0);
  expect(got.length).toBe(expected.length);
  got.forEach((g, q) => expect(g, `output group ${q}`).toEqual(expected[q]));
}

const CONV1: Shape = { cin: 1, cout: 6, h: 28, w: 28, k: 5, p: 0, K: 8, relu: true };
const CONV2: Shape = { cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: 8, relu: false };

describe("OverlapAdd is bit-exact with goldenConvLayer, images back to back", () => {
  const cases: (Case & { name: string })[] = [
    { name: "LeNet conv1 (1 -> 6, 28x28, k5, K8), ReLU", shape: CONV1, lanes: 1, lane: 0, images: 2 },
    { name: "LeNet conv1, lane 2 of 3", shape: CONV1, lanes: 3, lane: 2, images: 2 },
    { name: "LeNet conv2 (6 -> 16, 12x12, k5, K8)", shape: CONV2, lanes: 1, lane: 0, images: 3 },
    { name: "LeNet conv2, lane 1 of 2", shape: CONV2, lanes: 2, lane: 1, images: 3 },
    { name: "k3 p1, 11x7 (not multiples of T = 6), K8, lane 0 of 3 (one channel), ReLU", shape: { cin: 2, cout: 3, h: 11, w: 7, k: 3, p: 1, K: 8, relu: true }, lanes: 3, lane: 0, images: 3 },
    { name: "K4, k3 p1, 9x10, lane 0 of 2", shape: { cin: 2, cout: 3, h: 9, w: 10, k: 3, p: 1, K: 4, relu: false }, lanes: 2, lane: 0, images: 3 },
    { name: "K16, k7 p3, 20x18, ReLU", shape: { cin: 2, cout: 2, h: 20, w: 18, k: 7, p: 3, K: 16, relu: true }, lanes: 1, lane: 0, images: 2 },
    { name: "K4, k1 (T = K: blocks do not overlap), 6x13, lane 1 of 2, input paced to 4 cycles per block", shape: { cin: 2, cout: 4, h: 6, w: 13, k: 1, p: 0, K: 4, relu: false }, lanes: 2, lane: 1, images: 2 },
  ];
  cases.forEach((c, n) => it(c.name, () => bitExact(c, 40 + n, [0, 3, 5, 7].includes(n))));
});

describe("OverlapAdd rate: overrun exactly when overlapAddKeepsUp fails", () => {
  const fullRate = (): number => 0;
  it("LeNet conv1 at full rate: keeps up, bit-exact, first group OVERLAP_ADD_LATENCY cycles after band 1's last beat", async () => {
    const c: Case = { shape: CONV1, lanes: 1, lane: 0, images: 2 };
    const { p, got, expected, overrun, cycles } = await run(c, 60, fullRate);
    expect(overlapAddKeepsUp(p)).toBe(true);
    expect(overrun).toBe(0);
    expect(got).toEqual(expected);
    // Band 0 holds rows 0..3, all above the output (k - 1 = 4): the first group is band 1's.
    expect(overlapAddBandCycles(p, 0)).toBe(6 * 4);
    expect(cycles[0]).toBe(2 * overlapAddBeatsPerTileRow(p) - 1 + OVERLAP_ADD_LATENCY);
  });
  const shape = (w: number): Shape => ({ cin: 1, cout: 2, h: 16, w, k: 3, p: 1, K: 8, relu: false });
  it("at equality (T x ceil(Wo/K) = 24 = tilesX x K/2): keeps up, bit-exact", async () => {
    const { p, got, expected, overrun } = await run({ shape: shape(32), lanes: 1, lane: 0, images: 2 }, 61, fullRate);
    expect(overlapAddEmitCyclesPerBand(p)).toBe(overlapAddBeatsPerTileRow(p));
    expect(overlapAddKeepsUp(p)).toBe(true);
    expect(overrun).toBe(0);
    expect(got).toEqual(expected);
  });
  it("past it (36 > 32): overrun latches at full rate; with K/2 + 1 cycles per block it keeps up again", async () => {
    const c: Case = { shape: shape(46), lanes: 1, lane: 0, images: 2 };
    const fast = await run(c, 62, fullRate);
    expect(overlapAddKeepsUp(fast.p)).toBe(false);
    expect(fast.overrun).toBe(1);
    const K = c.shape.K;
    const slow = await run(c, 62, (beat) => ((beat + 1) % (K / 2) === 0 ? 1 : 0));
    expect(overlapAddKeepsUp(slow.p, K / 2 + 1)).toBe(true);
    expect(slow.overrun).toBe(0);
    expect(slow.got).toEqual(slow.expected);
  });
});

describe("OverlapAdd input pace", () => {
  it("every shape above but k = 1 keeps up at one beat per clock", () => {
    const p = (shape: Shape): OverlapAddParams => ({ layer: layerOf(shape, 1) });
    for (const shape of [CONV1, CONV2, { ...CONV2, h: 11, w: 7, k: 3, p: 1 }]) expect(pace(p(shape))).toBe(4);
    expect(pace(p({ cin: 2, cout: 2, h: 20, w: 18, k: 7, p: 3, K: 16, relu: true }))).toBe(8);
    expect(pace(p({ cin: 2, cout: 4, h: 6, w: 13, k: 1, p: 0, K: 4, relu: false }))).toBe(4);
  });
});

describe("OverlapAdd parameter checks", () => {
  it("names the generator and the instantiation site", () => {
    const layer = layerOf(CONV2, 1);
    expect(() => elaborate(OverlapAdd, { layer, lanes: 17, lane: 16 })).toThrow(
      /^test\/spec2\/overlap-add\.test\.ts:\d+: OverlapAdd: lane = 16 would hold none of the 16 output channels: use lanes <= 16$/,
    );
    expect(() => elaborate(OverlapAdd, { layer, lanes: 2, lane: -1 })).toThrow("OverlapAdd: lane = -1 must be an integer in 0..lanes-1 (lanes = 2)");
  });
});
