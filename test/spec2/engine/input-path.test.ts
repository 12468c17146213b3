/**
 * The engine's input path, run-time shapes end to end: BandPlanner -> MapLoader (external memory,
 * a BurstMemory with latency and limited bandwidth) -> BandTiler. Maps of several shapes stored
 * in the memory as MapWriter lays them out (rows padded to the pitch, channels h pitch apart)
 * come out as the zero-padded T x T tiles of the golden model's order, computed here from the
 * maps, band by band, under output back-pressure; one build for every shape.
 */
import { describe, expect, it } from "vitest";
import { Bool, Decoupled, Input, Output, SInt, Vec, connect, defineModule, elaborate } from "../../../hdl/core";
import { BurstMemory, type BurstPortParams } from "../../../hdl/lib";
import { BandPlanner, layerCommandType } from "../../../hdl/spec2/engine/band-planner";
import { BandTiler } from "../../../hdl/spec2/engine/band-tiler";
import { MapLoader } from "../../../hdl/spec2/engine/map-loader";
import { DecoupledDriver, DecoupledSink, testbench, type Backend } from "../../../sim/index";
import { rng, randInt } from "../../helpers/rng";
import { debugPort, idleWrite } from "../../helpers/burst-memory";
import { tileRows, type TileRow, type TileShape } from "./tile-rows";

const PORT: BurstPortParams = { addrBits: 16, dataBytes: 8, lenBits: 3 }; // 4 words of 16 bits per beat
const WPB = 4;
const T = 6;
const LOAD = 3;
const LIMITS = { maxChannels: 4, maxHeight: 20, maxWidth: 20 };
const PLANNER = { T, port: PORT, ...LIMITS, wordsPerBeat: WPB };

const InputPath = defineModule("InputPath", (q: { bytesPerCycle: number; latency: number }) => {
  const layer = Input(Decoupled(layerCommandType(PLANNER)));
  const out = Output(Decoupled(Vec(T, SInt(16))));
  const first = Output(Bool());
  const last = Output(Bool());
  const idle = Output(Bool());
  const planner = BandPlanner.instance(PLANNER);
  const loader = MapLoader.instance({ port: PORT, loadWords: LOAD, ...LIMITS });
  const tiler = BandTiler.instance({ T, actBits: 16, maxChannels: LIMITS.maxChannels, maxWidth: LIMITS.maxWidth, loadWords: LOAD });
  const mem = BurstMemory.instance({ port: PORT, words: 512, bytesPerCycle: q.bytesPerCycle, latency: q.latency });
  connect(planner.layer, layer);
  connect(tiler.band, planner.band);
  connect(loader.cmd, planner.load);
  connect(mem.port.ar, loader.ar);
  connect(loader.r, mem.port.r);
  idleWrite(mem.port);
  tiler.load.valid.assign(loader.out.valid);
  loader.out.ready.assign(tiler.load.ready);
  for (let i = 0; i < LOAD; i++) tiler.load.data.at(i).assign(loader.out.bits.data.at(i));
  out.valid.assign(tiler.out.valid);
  tiler.out.ready.assign(out.ready);
  for (let b = 0; b < T; b++) out.bits.at(b).assign(tiler.out.row.at(b));
  first.assign(tiler.out.first);
  last.assign(tiler.out.last);
  idle.assign(tiler.idle.and(planner.busy.not()).and(loader.busy.not()));
  const dbg = debugPort(mem, 9, 64);
  return { layer, out, first, last, idle, ...dbg };
});

type Shape = TileShape & { pitch: number; base: number };
type Row = TileRow;

/** The memory beats of `map` at beat `base`: word (ch, y, x) at (ch h + y) pitch + x, padding random. */
function beatsOf(map: number[][][], s: Shape, r: () => number): bigint[] {
  const words = Array.from({ length: s.c * s.h * s.pitch }, () => randInt(r, 0, 65535));
  map.forEach((m, ch) => m.forEach((row, y) => row.forEach((v, x) => (words[(ch * s.h + y) * s.pitch + x] = v & 0xffff))));
  const beats: bigint[] = [];
  for (let i = 0; i < words.length; i += WPB) beats.push(words.slice(i, i + WPB).reduce((b, v, j) => b | (BigInt(v) << BigInt(16 * j)), 0n));
  return beats;
}

const SHAPES: Shape[] = [
  { c: 2, h: 13, w: 11, k: 3, p: 1, pitch: 12, base: 0 },
  { c: 3, h: 8, w: 20, k: 3, p: 1, pitch: 20, base: 80 },
  { c: 1, h: 20, w: 6, k: 3, p: 0, pitch: 8, base: 200 },
  { c: 4, h: 7, w: 5, k: 1, p: 0, pitch: 5, base: 240 },
  { c: 2, h: 11, w: 11, k: 3, p: 1, pitch: 12, base: 280 }, // h + 2p = 13: the last band is padding only
];

/** Runs every shape; returns the clocks from the first layer command to the last tile row. */
async function run(backend: Backend, bytesPerCycle: number, latency: number, seed: number, sinkStall = 0.3): Promise<number> {
  const r = rng(seed);
  // the maps' memory regions (beats) must not overlap
  SHAPES.forEach((s, i) => expect(i === 0 || s.base >= SHAPES[i - 1]!.base + Math.ceil((SHAPES[i - 1]!.c * SHAPES[i - 1]!.h * SHAPES[i - 1]!.pitch) / WPB)).toBe(true));
  const maps = SHAPES.map((s) => Array.from({ length: s.c }, () => Array.from({ length: s.h }, () => Array.from({ length: s.w }, () => randInt(r, -32768, 32767)))));
  const want = SHAPES.flatMap((s, i) => tileRows(maps[i]!, s, T));
  const tb = await testbench(elaborate(InputPath, { bytesPerCycle, latency }), { backend, maxCycles: 100_000 });
  const got: Row[] = [];
  let cycles = 0;
  await tb.run(async () => {
    await tb.reset();
    for (const [i, s] of SHAPES.entries())
      for (const [j, beat] of beatsOf(maps[i]!, s, r).entries()) {
        tb.io.dbgWe.poke(1);
        tb.io.dbgAddr.poke(s.base + j);
        tb.io.dbgWdata.poke(beat);
        await tb.clock.step();
      }
    tb.io.dbgWe.poke(0);
    const layers = new DecoupledDriver(tb, tb.io.layer, { stallProbability: 0.2, random: r });
    const o = tb.io;
    const rowOf = async (): Promise<Row> => ({ first: Number(await o.first.peek()), last: Number(await o.last.peek()), row: (await o.out.bits.peek()).map(Number) });
    const out = new DecoupledSink(tb, { valid: o.out.valid, ready: o.out.ready, bits: { poke: () => undefined, peek: rowOf } }, { stallProbability: sinkStall, random: r });
    const start = tb.cycle;
    await tb.join(
      tb.fork(() => layers.enqueueAll(SHAPES.map((s) => ({ addr: s.base * PORT.dataBytes, c: s.c, h: s.h, w: s.w, pitch: s.pitch, p: s.p }))), "layers"),
      tb.fork(async () => {
        for (let i = 0; i < want.length; i++) got.push(await out.dequeue());
      }, "tiles"),
    );
    cycles = tb.cycle - start;
    await tb.clock.step(2);
    await tb.io.idle.expect(1);
  });
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (JSON.stringify(got[i]) !== JSON.stringify(want[i])) expect({ i, got: got[i] }).toEqual({ i, got: want[i] });
  return cycles;
}

describe("engine input path (BandPlanner, MapLoader, BandTiler)", () => {
  it("js: four map shapes from external memory as tiles; a slow memory with a long latency changes the cycles, not the tiles", async () => {
    const fast = await run("js", 16, 4, 1, 0);
    const slow = await run("js", 1.5, 20, 2, 0);
    expect(slow).toBeGreaterThan(fast);
    await run("js", 16, 4, 3);
  }, 120_000);
  it("iverilog: four map shapes from external memory as tiles", async () => {
    await run("iverilog", 8, 6, 4);
  }, 120_000);
});
