/**
 * InputTiler in Icarus Verilog, driven cycle by cycle (a load beat is held until load_ready
 * takes it):
 *  - bit-exact rows against the tiles of goldenConvLayer (its trace), for lanes 1, 2, 3 and
 *    loadWords 1, 2, 4, several images back to back, random load_valid and out_ready gaps;
 *    out_first, out_last and idle as documented;
 *  - rate: with the load always offered and out_ready high, rows come out one per clock across
 *    image boundaries, the first one INPUT_TILER_LATENCY cycles after the first image's last beat;
 *  - parameter checks name the generator and the instantiation site;
 *  - the Verilog is clean in Icarus, Verilator and Yosys.
 */
import { describe, expect, it } from "vitest";
import { FAST_BACKEND } from "../helpers/sim-backend";
import { defineModule, elaborate } from "../../hdl/core";
import {
  INPUT_TILER_LATENCY, InputTiler, inputTilerCyclesPerImage, inputTilerLoadBeatsPerImage, inputTilerRowsPerImage, inputTilerRowsPerTile,
  type InputTilerParams,
} from "../../hdl/spec2/input-tiler";
import { randomLayer, type LayerShape } from "../../hdl/spec2/perf/random-layer";
import { makePlan } from "../../spectral/conv";
import { goldenConvLayer, type FixedLayer, type TileTrace } from "../../spectral/fixed";
import { simulate } from "../../sim";
import { randInt, rng } from "../helpers/rng";
import { expectCleanVerilog } from "../helpers/verilog-tools";

type Shape = Pick<LayerShape, "cin" | "h" | "w" | "k" | "p" | "K">;

function layerOf(s: Shape, seed: number): FixedLayer {
  return randomLayer({ ...s, cout: 1, density: 0.25, pOut: 1, pIn: 1 }, seed).acc.layer;
}

/** The lane's load beats of one image: its channels, rows, then loadWords columns per beat (junk past the row end). */
function loadBeats(layer: FixedLayer, x: readonly number[], lanes: number, lane: number, loadWords: number, r: () => number): number[][] {
  const { cin, h, w } = layer;
  const beats: number[][] = [];
  for (let i = lane; i < cin; i += lanes)
    for (let row = 0; row < h; row++)
      for (let c0 = 0; c0 < w; c0 += loadWords)
        beats.push(Array.from({ length: loadWords }, (_, j) => (c0 + j < w ? x[(i * h + row) * w + c0 + j]! : randInt(r, -32768, 32767))));
  return beats;
}

interface Row {
  readonly values: number[];
  readonly first: boolean;
  readonly last: boolean;
}

/** The rows the lane's tiler must produce for one image: the golden model's tiles, the lane's channels. */
function expectedRows(layer: FixedLayer, x: readonly number[], lanes: number, lane: number): Row[] {
  const { K, T } = makePlan(layer);
  const traces: TileTrace[] = [];
  goldenConvLayer(layer, x, (t) => traces.push(t));
  const rows: Row[] = [];
  traces.forEach((t, n) => {
    for (let i = lane; i < layer.cin; i += lanes)
      for (let a = 0; a < T; a++) {
        const last = n === traces.length - 1 && i + lanes >= layer.cin && a === T - 1;
        rows.push({ values: Array.from(t.tiles[i]!.subarray(a * K, a * K + T)), first: a === 0, last });
      }
  });
  return rows;
}

interface Run {
  readonly rows: Row[];
  /** cycle of every accepted load beat */
  readonly accepted: number[];
  /** cycle of every row handed over */
  readonly handed: number[];
  readonly idle: number[];
}

/** Offers the beats in order (load_valid low with probability `gap`), out_ready low with probability `stall`. */
async function drive(p: InputTilerParams, beats: readonly number[][], rowCount: number, gap: number, stall: number, seed: number, lint = false): Promise<Run> {
  const design = elaborate(InputTiler, p);
  if (lint) await expectCleanVerilog(design.verilog, design.top);
  const { T } = makePlan(p.layer);
  const r = rng(seed);
  const sim = await simulate(design, { backend: FAST_BACKEND });
  const run: Run = { rows: [], accepted: [], handed: [], idle: [] };
  try {
    await sim.reset();
    let next = 0;
    for (let cycle = 0; run.rows.length < rowCount || cycle < run.handed.at(-1)! + 4; cycle++) {
      if (cycle > 20 * (beats.length + rowCount) + 100) throw new Error(`no progress: ${run.rows.length} of ${rowCount} rows after ${cycle} cycles`);
      const valid = next < beats.length && r() >= gap ? 1 : 0;
      const ready = r() >= stall ? 1 : 0;
      sim.poke("load_valid", valid);
      if (valid) beats[next]!.forEach((v, j) => sim.poke(`load_data_${j}`, v));
      sim.poke("out_ready", ready);
      const s = await sim.peekAll();
      run.idle.push(Number(s.idle));
      if (valid && s.load_ready === 1) {
        run.accepted.push(cycle);
        next++;
      }
      if (s.out_valid === 1 && ready) {
        run.rows.push({ values: Array.from({ length: T }, (_, b) => Number(s[`out_row_${b}`])), first: s.out_first === 1, last: s.out_last === 1 });
        run.handed.push(cycle);
      }
      await sim.step();
    }
    expect(next, "every load beat accepted").toBe(beats.length);
  } finally {
    await sim.close();
  }
  return run;
}

interface Case {
  readonly name: string;
  readonly shape: Shape;
  readonly lanes: number;
  readonly lane: number;
  readonly loadWords: number;
  readonly images: number;
}

async function bitExact(c: Case, seed: number, lint = false): Promise<void> {
  const layer = layerOf(c.shape, seed);
  const p: InputTilerParams = { layer, lanes: c.lanes, lane: c.lane, loadWords: c.loadWords };
  const r = rng(seed);
  const beats: number[][] = [];
  const rows: Row[] = [];
  for (let n = 0; n < c.images; n++) {
    const x = Array.from({ length: layer.cin * layer.h * layer.w }, () => randInt(r, -32768, 32767));
    beats.push(...loadBeats(layer, x, c.lanes, c.lane, c.loadWords, r));
    rows.push(...expectedRows(layer, x, c.lanes, c.lane));
  }
  expect(beats.length).toBe(c.images * inputTilerLoadBeatsPerImage(p));
  expect(rows.length).toBe(c.images * inputTilerRowsPerImage(p));
  const run = await drive(p, beats, rows.length, 0.3, 0.3, seed + 1, lint);
  expect(run.rows.length).toBe(rows.length);
  run.rows.forEach((got, q) => expect(got, `row ${q}`).toEqual(rows[q]));
  expect(run.idle[0], "idle before the first beat").toBe(1);
  expect(run.idle[run.accepted[0]! + 1], "busy after the first beat").toBe(0);
  expect(run.idle.at(-1), "idle once the last row is out").toBe(1);
  expect(run.idle[run.handed.at(-1)!], "busy while the last row waits").toBe(0);
}

const CONV1: Shape = { cin: 1, h: 28, w: 28, k: 5, p: 0, K: 8 };
const CONV2: Shape = { cin: 6, h: 12, w: 12, k: 5, p: 0, K: 8 };

describe("InputTiler produces the golden model's tiles, images back to back", () => {
  const cases: Case[] = [
    { name: "LeNet conv1 (1 x 28x28, k5, K8), loadWords 1", shape: CONV1, lanes: 1, lane: 0, loadWords: 1, images: 2 },
    { name: "LeNet conv2 (6 x 12x12, k5, K8), lane 1 of 2, loadWords 2", shape: CONV2, lanes: 2, lane: 1, loadWords: 2, images: 3 },
    { name: "LeNet conv2, lane 2 of 3, loadWords 4", shape: CONV2, lanes: 3, lane: 2, loadWords: 4, images: 3 },
    { name: "padding, T = 6 (5 x 11x7, k3 p1, K8), lane 1 of 3, loadWords 4 (a row ends inside a beat)", shape: { cin: 5, h: 11, w: 7, k: 3, p: 1, K: 8 }, lanes: 3, lane: 1, loadWords: 4, images: 3 },
    { name: "padding wider than the tile (2 x 5x9, k3 p2, K4: T = 2), lane 0 of 2, loadWords 2", shape: { cin: 2, h: 5, w: 9, k: 3, p: 2, K: 4 }, lanes: 2, lane: 0, loadWords: 2, images: 3 },
    { name: "K16 (4 x 13x18, k7 p3: T = 10), lane 0 of 3, loadWords 4", shape: { cin: 4, h: 13, w: 18, k: 7, p: 3, K: 16 }, lanes: 3, lane: 0, loadWords: 4, images: 2 },
    { name: "3 x 9x10, k3 p1, K8, lane 1 of 3, loadWords 1", shape: { cin: 3, h: 9, w: 10, k: 3, p: 1, K: 8 }, lanes: 3, lane: 1, loadWords: 1, images: 3 },
  ];
  cases.forEach((c, n) => it(c.name, () => bitExact(c, 10 + n, [0, 1, 3, 4].includes(n))));
});

describe("InputTiler rate", () => {
  async function fullRate(c: Case, seed: number): Promise<void> {
    const layer = layerOf(c.shape, seed);
    const p: InputTilerParams = { layer, lanes: c.lanes, lane: c.lane, loadWords: c.loadWords };
    const r = rng(seed);
    const beats: number[][] = [];
    const expected: Row[] = [];
    for (let n = 0; n < c.images; n++) {
      const x = Array.from({ length: layer.cin * layer.h * layer.w }, () => randInt(r, -32768, 32767));
      beats.push(...loadBeats(layer, x, c.lanes, c.lane, c.loadWords, r));
      expected.push(...expectedRows(layer, x, c.lanes, c.lane));
    }
    const rows = c.images * inputTilerRowsPerImage(p);
    expect(inputTilerLoadBeatsPerImage(p), "the load keeps ahead").toBeLessThanOrEqual(inputTilerRowsPerImage(p));
    const run = await drive(p, beats, rows, 0, 0, seed);
    const perImage = inputTilerLoadBeatsPerImage(p);
    expect(run.handed[0]! - run.accepted[perImage - 1]!, "latency").toBe(INPUT_TILER_LATENCY);
    expect(run.handed.at(-1)! - run.handed[0]! + 1, "one row per clock across image boundaries").toBe(rows);
    expect(rows / c.images).toBe(inputTilerCyclesPerImage(p));
    expect(run.rows).toEqual(expected);
  }
  it("LeNet conv2, loadWords 4 (beats = rows): 3 images, one row per clock, bit-exact", () =>
    fullRate({ name: "", shape: CONV2, lanes: 1, lane: 0, loadWords: 4, images: 3 }, 30));
  it("LeNet conv2, lane 0 of 2, loadWords 4: 3 images, one row per clock, bit-exact", () =>
    fullRate({ name: "", shape: CONV2, lanes: 2, lane: 0, loadWords: 4, images: 3 }, 31));

  it("rate functions", () => {
    const layer = layerOf(CONV2, 1);
    expect(inputTilerRowsPerTile({ layer, lanes: 3, lane: 1 })).toBe(2 * 4);
    expect(inputTilerRowsPerImage({ layer, lanes: 3, lane: 1 })).toBe(9 * 2 * 4);
    expect(inputTilerLoadBeatsPerImage({ layer, lanes: 4, lane: 1, loadWords: 3 })).toBe(2 * 12 * 4);
    expect(inputTilerCyclesPerImage({ layer })).toBe(6 * 144);
  });
});

describe("InputTiler parameter checks", () => {
  const layer = layerOf(CONV2, 1);
  it("names the generator, the instantiation site and every failed requirement", () => {
    expect(() => elaborate(InputTiler, { layer, lanes: 2, lane: 2, loadWords: 5 })).toThrow(
      /^test\/spec2\/input-tiler\.test\.ts:\d+: InputTiler: lane = 2 must be an integer in 0\.\.lanes-1 \(lanes = 2\); loadWords = 5 must be an integer in 1\.\.T \(T = 4\): a beat's columns must fall in distinct banks$/,
    );
    expect(() => elaborate(InputTiler, { layer, lanes: 8, lane: 6 })).toThrow("InputTiler: lane = 6 would hold none of the 6 input channels: use lanes <= 6");
    expect(() => elaborate(InputTiler, { layer, lanes: 0 })).toThrow("InputTiler: lanes = 0 must be an integer >= 1");
  });
  it("inside a parent module, names the line of the instance", () => {
    const Parent = defineModule("Parent", () => {
      InputTiler.instance({ layer, lanes: 7, lane: 6 }); // the site
      return {};
    });
    const site = new Error().stack!.split("\n")[1]!.match(/:(\d+):\d+\)?$/)![1]!;
    expect(() => elaborate(Parent, undefined)).toThrow(`test/spec2/input-tiler.test.ts:${Number(site) - 3}: InputTiler: lane = 6 would hold none`);
  });
});
