/**
 * BandTiler: several map shapes (channels, sizes, kernel sizes, padding) through one build, band
 * commands and map rows driven with random stalls, the output taken with random back-pressure.
 * The rows must be the zero-padded T x T tiles of each map in the golden model's order (tiles in
 * raster order, channels inside a tile, rows of each), computed here from the map.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../../hdl/core";
import { BandTiler, type BandTilerParams } from "../../../hdl/spec2/engine/band-tiler";
import { DecoupledDriver, DecoupledSink, testbench, type Backend } from "../../../sim/index";
import { rng, randInt } from "../../helpers/rng";
import { expectCleanVerilog } from "../../helpers/verilog-tools";
import { tileCounts, tileRows, type TileRow, type TileShape } from "./tile-rows";

const K = 8;

type Shape = TileShape;

// a type alias, not an interface: it must fit the band port's field pattern (an index signature)
type Band = {
  c: number;
  w: number;
  rowWords: number;
  p: number;
  tilesX: number;
  rowLo: number;
  rowHi: number;
  last: number;
};

type Row = TileRow;

/** The band commands, load beats and expected rows of one map. */
function plan(map: number[][][], s: Shape, T: number, loadWords: number): { bands: Band[]; beats: number[][]; rows: Row[] } {
  const { tilesX, tilesY } = tileCounts(s, T);
  const bands: Band[] = [];
  const beats: number[][] = [];
  for (let ty = 0; ty < tilesY; ty++) {
    const r0 = ty * T - s.p;
    const rowLo = Math.max(0, -r0);
    const rowHi = Math.max(rowLo, Math.min(T, s.h - r0)); // rowHi = rowLo: a band of padding only
    bands.push({ c: s.c, w: s.w, rowWords: Math.ceil(s.w / T), p: s.p, tilesX, rowLo, rowHi, last: ty === tilesY - 1 ? 1 : 0 });
    for (let ch = 0; ch < s.c; ch++)
      for (let a = rowLo; a < rowHi; a++)
        for (let x = 0; x < s.w; x += loadWords) beats.push(Array.from({ length: loadWords }, (_, q) => (x + q < s.w ? map[ch]![r0 + a]![x + q]! : 0)));
  }
  return { bands, beats, rows: tileRows(map, s, T) };
}

async function run(backend: Backend, params: BandTilerParams, shapes: readonly Shape[], seed: number): Promise<void> {
  const r = rng(seed);
  const T = params.T;
  const lw = params.loadWords ?? 1;
  const lim = 2 ** (params.actBits - 1);
  const plans = shapes.map((s) => plan(Array.from({ length: s.c }, () => Array.from({ length: s.h }, () => Array.from({ length: s.w }, () => randInt(r, -lim, lim - 1)))), s, T, lw));
  const tb = await testbench(elaborate(BandTiler, params), { backend, maxCycles: 200_000 });
  const got: Row[] = [];
  const want = plans.flatMap((p) => p.rows);
  await tb.run(async () => {
    await tb.reset();
    const bands = new DecoupledDriver(tb, tb.io.band, { stallProbability: 0.2, random: r });
    const load = new DecoupledDriver(tb, { valid: tb.io.load.valid, ready: tb.io.load.ready, bits: tb.io.load.data }, { stallProbability: 0.2, random: r });
    const o = tb.io.out;
    const rowOf = async (): Promise<Row> => ({ first: Number(await o.first.peek()), last: Number(await o.last.peek()), row: (await o.row.peek()).map(Number) });
    const out = new DecoupledSink(tb, { valid: o.valid, ready: o.ready, bits: { poke: () => undefined, peek: rowOf } }, { stallProbability: 0.3, random: r });
    await tb.join(
      tb.fork(() => bands.enqueueAll(plans.flatMap((p) => p.bands)), "bands"),
      tb.fork(() => load.enqueueAll(plans.flatMap((p) => p.beats)), "load"),
      tb.fork(async () => {
        for (let i = 0; i < want.length; i++) {
          got.push(await out.dequeue());
        }
      }, "out"),
    );
    await tb.clock.step(2);
    await tb.io.idle.expect(1);
  });
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (JSON.stringify(got[i]) !== JSON.stringify(want[i])) expect({ i, got: got[i] }).toEqual({ i, got: want[i] });
}

// one build, several shapes: k = 3 (T = 6) with and without padding, k = 5 maps on a T = 6 tiler
// are not meaningful, so the second build is T = 4 (k = 5, LeNet-like)
const T6: BandTilerParams = { T: K - 3 + 1, actBits: 16, maxChannels: 4, maxWidth: 20, loadWords: 2 };
const T6_SHAPES: Shape[] = [
  { c: 2, h: 9, w: 13, k: 3, p: 1 },
  { c: 2, h: 11, w: 11, k: 3, p: 1 }, // h + 2p = 13: the last band is padding only
  { c: 3, h: 6, w: 20, k: 3, p: 1 },
  { c: 1, h: 14, w: 7, k: 3, p: 0 },
  { c: 4, h: 5, w: 6, k: 3, p: 1 },
];
const T4: BandTilerParams = { T: K - 5 + 1, actBits: 12, maxChannels: 3, maxWidth: 12, capacity: 3 * 4 * 3 };
const T4_SHAPES: Shape[] = [
  { c: 1, h: 12, w: 12, k: 5, p: 0 },
  { c: 3, h: 10, w: 9, k: 5, p: 2 },
];

describe("BandTiler", () => {
  for (const backend of ["js", "iverilog"] as const) {
    it(`${backend}: the tiles of maps of four shapes through one build (T = 6, two words per beat), stalls on every side`, async () => {
      await run(backend, T6, T6_SHAPES, 1);
    }, 120_000);
    it(`${backend}: T = 4, padding 2, one word per beat, a buffer just large enough`, async () => {
      await run(backend, T4, T4_SHAPES, 2);
    }, 120_000);
  }

  it("passes iverilog -Wall, verilator --lint-only -Wall and yosys check", async () => {
    const d = elaborate(BandTiler, T6);
    await expectCleanVerilog(d.verilog, d.top);
  }, 120_000);
});
