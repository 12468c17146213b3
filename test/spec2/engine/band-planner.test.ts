/**
 * BandPlanner: the band and load commands of layers of several shapes (one build), taken with
 * random stalls on both outputs, equal the plan computed here from the layer's shape: bands of T
 * output rows, the band rows that hold map rows, and the map rows MapLoader must read for them.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../../hdl/core";
import type { BurstPortParams } from "../../../hdl/lib";
import { BandPlanner, type BandPlannerParams } from "../../../hdl/spec2/engine/band-planner";
import { DecoupledDriver, DecoupledSink, testbench, type Backend } from "../../../sim/index";
import { rng } from "../../helpers/rng";
import { expectCleanVerilog } from "../../helpers/verilog-tools";

const PORT: BurstPortParams = { addrBits: 16, dataBytes: 8, lenBits: 3 };

// type aliases, not interfaces: they must fit the ports' field patterns
type Layer = { addr: number; c: number; h: number; w: number; pitch: number; p: number };
type BandCmd = { c: number; w: number; rowWords: number; p: number; tilesX: number; rowLo: number; rowHi: number; last: number };
type LoadCmd = { addr: number; first: number; c: number; h: number; w: number; pitch: number; stride: number };

function plan(l: Layer, T: number): { bands: BandCmd[]; loads: LoadCmd[] } {
  // the tiles cover the padded input, as the golden model's (makePlan)
  const tilesX = Math.ceil((l.w + 2 * l.p) / T);
  const tilesY = Math.ceil((l.h + 2 * l.p) / T);
  const bands: BandCmd[] = [];
  const loads: LoadCmd[] = [];
  for (let ty = 0; ty < tilesY; ty++) {
    const r0 = ty * T - l.p; // map row of band row 0
    const rowLo = Math.max(0, -r0);
    const rowHi = Math.max(rowLo, Math.min(T, l.h - r0)); // rowHi = rowLo: padding only, nothing to load
    bands.push({ c: l.c, w: l.w, rowWords: Math.ceil(l.w / T), p: l.p, tilesX, rowLo, rowHi, last: ty === tilesY - 1 ? 1 : 0 });
    if (rowHi > rowLo) loads.push({ addr: l.addr, first: (r0 + rowLo) * l.pitch, c: l.c, h: rowHi - rowLo, w: l.w, pitch: l.pitch, stride: l.h * l.pitch });
  }
  return { bands, loads };
}

const P: BandPlannerParams = { T: 6, port: PORT, maxChannels: 8, maxHeight: 40, maxWidth: 40, wordsPerBeat: 4 };
const LAYERS: Layer[] = [
  { addr: 64, c: 3, h: 28, w: 28, pitch: 28, p: 1 },
  { addr: 0, c: 1, h: 5, w: 7, pitch: 8, p: 1 },
  { addr: 800, c: 8, h: 13, w: 40, pitch: 40, p: 0 },
  { addr: 8, c: 2, h: 12, w: 12, pitch: 12, p: 0 },
  { addr: 16, c: 2, h: 14, w: 9, pitch: 12, p: 2 },
  { addr: 24, c: 2, h: 11, w: 11, pitch: 12, p: 1 }, // h + 2p = 13: the last band is padding only
];

async function run(backend: Backend): Promise<void> {
  const r = rng(3);
  const tb = await testbench(elaborate(BandPlanner, P), { backend });
  const want = LAYERS.map((l) => plan(l, P.T));
  const bands: BandCmd[] = [];
  const loads: LoadCmd[] = [];
  const nBands = want.reduce((n, w) => n + w.bands.length, 0);
  const nLoads = want.reduce((n, w) => n + w.loads.length, 0);
  const toNumbers = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v)])) as T;
  await tb.run(async () => {
    await tb.reset();
    const layers = new DecoupledDriver(tb, tb.io.layer, { stallProbability: 0.3, random: r });
    const bandSink = new DecoupledSink(tb, tb.io.band, { stallProbability: 0.4, random: r });
    const loadSink = new DecoupledSink(tb, tb.io.load, { stallProbability: 0.4, random: r });
    await tb.join(
      tb.fork(() => layers.enqueueAll(LAYERS), "layers"),
      tb.fork(async () => {
        for (let i = 0; i < nBands; i++) bands.push(toNumbers((await bandSink.dequeue()) as BandCmd));
      }, "bands"),
      tb.fork(async () => {
        for (let i = 0; i < nLoads; i++) loads.push(toNumbers((await loadSink.dequeue()) as LoadCmd));
      }, "loads"),
    );
    await tb.clock.step();
    await tb.io.busy.expect(0);
  });
  expect(bands).toEqual(want.flatMap((w) => w.bands));
  expect(loads).toEqual(want.flatMap((w) => w.loads));
}

describe("BandPlanner", () => {
  for (const backend of ["js", "iverilog"] as const) {
    it(`${backend}: the band and load commands of five layer shapes, stalls on every side`, async () => {
      await run(backend);
    }, 120_000);
  }

  it("passes iverilog -Wall, verilator --lint-only -Wall and yosys check", async () => {
    const d = elaborate(BandPlanner, P);
    await expectCleanVerilog(d.verilog, d.top);
  }, 120_000);
});
