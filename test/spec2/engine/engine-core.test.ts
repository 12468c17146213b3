/**
 * EngineCore end to end: one build runs a three-layer network from a BurstMemory model, each
 * layer reading the previous one's output from memory: 2 -> 4 channels on a 16 x 17 map (k 3,
 * p 1, ReLU, 2x2 pooling, so 8 x 8 out; w + 2p = 19 takes a fourth, mostly padding tile column),
 * then 4 -> 3 on that 8 x 8 map (no ReLU, no pooling), then 3 -> 4 (ReLU); random weights pruned
 * to density 0.25 (perf/random-layer.ts, seeded). After each layer the output map read back from
 * the memory equals goldenConvLayer's output (2x2 max-pooled here, floor, for the first), each
 * layer's golden input being the previous golden output; fast and slow memory,
 * JS backend and Icarus; the build is lint-clean; `engineCommand` names every field out of the
 * build's limits.
 */
import { describe, expect, it } from "vitest";
import { Bool, Bundle, Decoupled, Input, Output, UInt, connect, defineModule, elaborate, type Var } from "../../../hdl/core";
import { BurstMemory, Valid, type BurstPortParams } from "../../../hdl/lib";
import { peArrayCapacity } from "../../../hdl/spec2/pe-array";
import { buildSchedule } from "../../../hdl/spec2/schedule";
import { EngineCore, engineArrayParams } from "../../../hdl/spec2/engine/engine-core";
import { Engine, engineControlMap, engineProgram, packEngineCommand } from "../../../hdl/spec2/engine/engine";
import { engineCommand, engineCommandFields, engineCommandType, outputPitch, type EngineCommand, type EngineCoreParams, type EngineLayer } from "../../../hdl/spec2/engine/engine-command";
import { imageBeats, weightImage } from "../../../hdl/spec2/engine/weight-image";
import { randomLayer } from "../../../hdl/spec2/perf/random-layer";
import { goldenConvLayer, quantizeActivations, type FixedLayer } from "../../../spectral/fixed";
import { simulate, type Backend } from "../../../sim";
import { debugPort } from "../../helpers/burst-memory";
import { expectCleanVerilog } from "../../helpers/verilog-tools";

const PORT: BurstPortParams = { addrBits: 16, dataBytes: 16, lenBits: 4 }; // 8 words of 16 bits a beat
const WPB = 8;
const WORDS = 1024; // memory beats
const P_OUT = 2;
const P_IN = 2;

interface NetLayer {
  readonly fixed: FixedLayer;
  readonly shape: EngineLayer;
}

function network(): NetLayer[] {
  const a = randomLayer({ cin: 2, cout: 4, h: 16, w: 17, k: 3, p: 1, K: 8, density: 0.25, pOut: P_OUT, pIn: P_IN, relu: true }, 11).acc.layer;
  const b0 = randomLayer({ cin: 4, cout: 3, h: 8, w: 8, k: 3, p: 1, K: 8, density: 0.25, pOut: P_OUT, pIn: P_IN, relu: false }, 12).acc.layer;
  const c0 = randomLayer({ cin: 3, cout: 4, h: 8, w: 8, k: 3, p: 1, K: 8, density: 0.25, pOut: P_OUT, pIn: P_IN, relu: true }, 13).acc.layer;
  // one build: every layer has the build's formats (the array's shift is compile-time)
  const b: FixedLayer = { ...b0, formats: a.formats };
  const c: FixedLayer = { ...c0, formats: a.formats };
  return [
    { fixed: a, shape: { cin: 2, cout: 4, h: 16, w: 17, k: 3, p: 1, relu: true, pool: true } },
    { fixed: b, shape: { cin: 4, cout: 3, h: 8, w: 8, k: 3, p: 1, relu: false, pool: false } },
    { fixed: c, shape: { cin: 3, cout: 4, h: 8, w: 8, k: 3, p: 1, relu: true, pool: false } },
  ];
}

const NET = network();
const BUILD: EngineCoreParams = { layer: NET[0]!.fixed, pOut: P_OUT, pIn: P_IN, maxCin: 4, maxCout: 4, maxHeight: 16, maxWidth: 20, maxDepth: 64, tileBits: 5, port: PORT };

const EngineTop = defineModule("EngineCoreTop", (q: { bytesPerCycle: number; latency: number }) => {
  const cmd = Input(Decoupled(engineCommandType(BUILD)));
  const core = EngineCore.instance(BUILD);
  connect(core.cmd, cmd);
  return { cmd, ...withMemory(core, q) };
});

/** Inside a top: the memory on the unit's port, its status and the unit's done, busy and overrun as outputs. */
function withMemory(unit: { port: unknown; done: Var; busy: Var; overrun: Var }, q: { bytesPerCycle: number; latency: number }) {
  const done = Output(Bool());
  const busy = Output(Bool());
  const overrun = Output(Bool());
  const memError = Output(Bool());
  const mem = BurstMemory.instance({ port: PORT, words: WORDS, bytesPerCycle: q.bytesPerCycle, latency: q.latency });
  connect(mem.port, unit.port as typeof mem.port);
  done.assign(unit.done);
  busy.assign(unit.busy);
  overrun.assign(unit.overrun);
  memError.assign(mem.error);
  return { done, busy, overrun, memError, ...debugPort(mem, 10, 8 * PORT.dataBytes) };
}

/** The Engine (command list + core) with the same memory: the host writes the list through ctrl. */
const ENGINE = { core: BUILD, maxCommands: 4 };
const EngineListTop = defineModule("EngineListTop", () => {
  const map = engineControlMap(ENGINE);
  const ctrl = Input(Valid(Bundle({ addr: UInt(map.addrBits), data: UInt(32) })));
  const engine = Engine.instance(ENGINE);
  connect(engine.ctrl, ctrl);
  return { ctrl, ...withMemory(engine, { bytesPerCycle: 16, latency: 4 }) };
});

/** 2x2 max-pooling, stride 2, floor (the networks' golden pooling) of a [c][h][w] map. */
function pool2(y: ArrayLike<number>, c: number, h: number, w: number): number[] {
  const out: number[] = [];
  const at = (o: number, a: number, b: number): number => y[(o * h + a) * w + b]!;
  for (let o = 0; o < c; o++)
    for (let a = 0; a < Math.floor(h / 2); a++)
      for (let b = 0; b < Math.floor(w / 2); b++) out.push(Math.max(at(o, 2 * a, 2 * b), at(o, 2 * a, 2 * b + 1), at(o, 2 * a + 1, 2 * b), at(o, 2 * a + 1, 2 * b + 1)));
  return out;
}

/** Output of a layer with the golden model: [c][ho][wo] as written (pooled when the layer pools). */
function goldenOutput(l: NetLayer, x: ArrayLike<number>): { map: number[]; c: number; h: number; w: number } {
  const y = goldenConvLayer(l.fixed, x);
  const ho = l.shape.h + 2 * l.shape.p - l.shape.k + 1;
  const wo = l.shape.w + 2 * l.shape.p - l.shape.k + 1;
  if (!l.shape.pool) return { map: Array.from(y), c: l.shape.cout, h: ho, w: wo };
  return { map: pool2(y, l.shape.cout, ho, wo), c: l.shape.cout, h: Math.floor(ho / 2), w: Math.floor(wo / 2) };
}

/** The memory plan: beats of every region. */
interface Plan {
  readonly commands: EngineCommand[];
  readonly image: Map<number, bigint>;
  /** per layer: first beat and pitch of its output */
  readonly outputs: { beat: number; pitch: number }[];
}

const word16 = (v: number): bigint => BigInt(v & 0xffff);

function plan(x0: ArrayLike<number>): Plan {
  const image = new Map<number, bigint>();
  const putWords = (beat: number, words: readonly number[]): void => {
    for (let i = 0; i < words.length; i += WPB) image.set(beat + i / WPB, words.slice(i, i + WPB).reduce((v, w, j) => v | (word16(w) << BigInt(16 * j)), 0n));
  };
  let next = 0;
  const take = (beats: number): number => {
    const at = next;
    next += Math.ceil(beats / 16) * 16;
    return at;
  };
  // the network's input, rows padded to a pitch of w + 4 (the loader takes pitch in w..w + 7)
  const s0 = NET[0]!.shape;
  const inPitch0 = s0.w + 4;
  const inWords = Array.from({ length: s0.cin * s0.h * inPitch0 }, (_, i) => (i % inPitch0 < s0.w ? x0[Math.floor(i / inPitch0) * s0.w + (i % inPitch0)]! : 0x5a5a));
  let inBeat = take(Math.ceil(inWords.length / WPB));
  putWords(inBeat, inWords);
  let inPitch = inPitch0;
  const oBits = peArrayCapacity(engineArrayParams(BUILD))!.oBits;
  const commands: EngineCommand[] = [];
  const outputs: { beat: number; pitch: number }[] = [];
  for (const l of NET) {
    const s = l.shape;
    const sched = buildSchedule(l.fixed, P_OUT, P_IN);
    expect(sched.depth).toBeLessThanOrEqual(BUILD.maxDepth);
    const img = weightImage(sched, PORT.dataBytes, oBits);
    const wBeats = imageBeats(img);
    const wBeat = take(wBeats.length);
    wBeats.forEach((b, j) => image.set(wBeat + j, b));
    const biasBeat = take(s.cout);
    l.fixed.bias.forEach((b, o) => image.set(biasBeat + o, word16(b)));
    const wo = s.w + 2 * s.p - s.k + 1;
    const ho = s.h + 2 * s.p - s.k + 1;
    const pitch = outputPitch(BUILD, wo, s.pool);
    const outBeat = take(Math.ceil((s.cout * (s.pool ? Math.floor(ho / 2) : ho) * pitch) / WPB));
    commands.push(engineCommand(BUILD, s, { input: inBeat * PORT.dataBytes, inPitch, output: outBeat * PORT.dataBytes, weights: wBeat * PORT.dataBytes, weightRows: img.rows, bias: biasBeat * PORT.dataBytes }));
    outputs.push({ beat: outBeat, pitch });
    inBeat = outBeat;
    inPitch = pitch;
  }
  expect(next).toBeLessThanOrEqual(WORDS);
  return { commands, image, outputs };
}

/** Runs the network; returns the clocks of each layer. */
async function run(backend: Backend, bytesPerCycle: number, latency: number): Promise<number[]> {
  const f = NET[0]!.fixed.formats;
  const r = randomLayer({ cin: 2, cout: 4, h: 16, w: 17, k: 3, p: 1, K: 8, density: 0.25, pOut: P_OUT, pIn: P_IN }, 11).x;
  const x0 = Array.from(quantizeActivations(r, f.inFrac, f.actBits));
  const p = plan(x0);
  const sim = await simulate(elaborate(EngineTop, { bytesPerCycle, latency }), { backend });
  const clocks: number[] = [];
  try {
    // every beat written (the regions, a zero background elsewhere): Icarus starts a memory at X
    await sim.batch(Array.from({ length: WORDS }, (_, beat) => ({ dbg_we: 1, dbg_addr: beat, dbg_wdata: p.image.get(beat) ?? 0n, cmd_valid: 0 })), { resetCycles: 1, allowX: true });
    sim.poke("dbg_we", 0);
    let x: ArrayLike<number> = x0;
    for (const [i, l] of NET.entries()) {
      const want = goldenOutput(l, x);
      sim.poke("cmd_valid", 1);
      for (const [k, v] of Object.entries(p.commands[i]!)) sim.poke(`cmd_bits_${k}`, v);
      expect(await sim.peek("cmd_ready")).toBe(1);
      await sim.step();
      sim.poke("cmd_valid", 0);
      let n = 1;
      while ((await sim.peek("done")) === 0 && n < 200_000) {
        await sim.step();
        n++;
      }
      expect(n).toBeLessThan(200_000);
      await sim.step();
      clocks.push(n);
      expect(await sim.peek("overrun")).toBe(0);
      expect(await sim.peek("memError")).toBe(0);
      const o = p.outputs[i]!;
      const beats = Math.ceil((want.c * want.h * o.pitch) / WPB);
      const back = await sim.batch(Array.from({ length: beats }, (_, j) => ({ dbg_addr: o.beat + j })));
      const words = back.flatMap((s) => {
        const v = BigInt(s.dbg_data as bigint | number);
        return Array.from({ length: WPB }, (_, j) => Number(BigInt.asIntN(16, (v >> BigInt(16 * j)) & 0xffffn)));
      });
      const got = Array.from({ length: want.c * want.h * want.w }, (_, q) => words[Math.floor(q / want.w) * o.pitch + (q % want.w)]!);
      const first = got.findIndex((v, q) => v !== want.map[q]);
      expect(first === -1 ? "equal" : `layer ${i}, word ${first}: ${got[first]} vs ${want.map[first]}`).toBe("equal");
      x = want.map;
    }
  } finally {
    await sim.close();
  }
  return clocks;
}

describe("EngineCore: a three-layer network from external memory", () => {
  it("js: 2 -> 4 (16 x 17, ReLU, pooled; w + 2p = 19 needs a fourth tile column, mostly padding), 4 -> 3 (8 x 8), 3 -> 4 (8 x 8, ReLU) in one build equal the golden model, fast and slow memory", async () => {
    const fast = await run("js", 16, 4);
    const slow = await run("js", 2, 20);
    console.log(`engine core, three layers: fast memory ${fast.join(" + ")} clocks, slow ${slow.join(" + ")}`);
    expect(slow[0]!).toBeGreaterThan(fast[0]!);
  }, 600_000);

  it("iverilog: the same network, fast memory", async () => {
    await run("iverilog", 16, 4);
  }, 600_000);

  it("js: the Engine runs the three layers as one command list from one start, each reading the previous output", async () => {
    const f = NET[0]!.fixed.formats;
    const r = randomLayer({ cin: 2, cout: 4, h: 16, w: 17, k: 3, p: 1, K: 8, density: 0.25, pOut: P_OUT, pIn: P_IN }, 11).x;
    const x0 = Array.from(quantizeActivations(r, f.inFrac, f.actBits));
    const p = plan(x0);
    const sim = await simulate(elaborate(EngineListTop), { backend: "js" });
    try {
      await sim.batch(Array.from({ length: WORDS }, (_, beat) => ({ dbg_we: 1, dbg_addr: beat, dbg_wdata: p.image.get(beat) ?? 0n, ctrl_valid: 0 })), { resetCycles: 1 });
      sim.poke("dbg_we", 0);
      await sim.batch(engineProgram(ENGINE, p.commands).map((w) => ({ ctrl_valid: 1, ctrl_bits_addr: w.addr, ctrl_bits_data: w.data })));
      sim.poke("ctrl_valid", 0);
      let n = 0;
      while ((await sim.peek("done")) === 0 && n < 20_000) {
        await sim.step(1);
        n++;
      }
      expect(n).toBeLessThan(20_000);
      expect([await sim.peek("overrun"), await sim.peek("memError")]).toEqual([0, 0]);
      let x: ArrayLike<number> = x0;
      for (const [i, l] of NET.entries()) {
        const want = goldenOutput(l, x);
        const o = p.outputs[i]!;
        const back = await sim.batch(Array.from({ length: Math.ceil((want.c * want.h * o.pitch) / WPB) }, (_, j) => ({ dbg_addr: o.beat + j })));
        const words = back.flatMap((q) => Array.from({ length: WPB }, (_, j) => Number(BigInt.asIntN(16, (BigInt(q.dbg_data as bigint | number) >> BigInt(16 * j)) & 0xffffn))));
        const got = Array.from({ length: want.c * want.h * want.w }, (_, q) => words[Math.floor(q / want.w) * o.pitch + (q % want.w)]!);
        expect(got).toEqual(want.map);
        x = want.map;
      }
      console.log(`engine, three layers from one start: ${n} clocks`);
    } finally {
      await sim.close();
    }
  }, 600_000);

  it("a command packs into list words field by field, macShift in two's complement", () => {
    const ranged: EngineCoreParams = { ...BUILD, macShifts: { min: -4, max: 3 } };
    const at = { input: 0, inPitch: 8, output: 1600, weights: 3200, weightRows: 10, bias: 4800 };
    const cmd = engineCommand(ranged, { cin: 2, cout: 4, h: 8, w: 8, k: 3, p: 1, relu: true, pool: false, macShift: -3 }, at);
    const words = packEngineCommand(ranged, cmd);
    const bits = words.reduce((v, w, j) => v | (BigInt(w) << BigInt(32 * j)), 0n);
    // the first fields from bit 0: inAddr (16 bits), cin (3), h (5)
    expect([Number(bits & 0xffffn), Number((bits >> 16n) & 7n), Number((bits >> 19n) & 31n)]).toEqual([0, 2, 8]);
    // macShift, the last field: -3 in the 3 bits of -4..3
    const total = engineCommandFields(ranged).reduce((s, k) => s + (engineCommandType(ranged).fields as Record<string, { width: number }>)[k]!.width, 0);
    expect(Number((bits >> BigInt(total - 3)) & 7n)).toBe(5);
    expect(words.length).toBe(Math.ceil(total / 32));
    expect(() => engineProgram(ENGINE, [cmd, cmd, cmd, cmd, cmd])).toThrow("engine program: 5 commands (1..maxCommands = 4)");
  });

  it("passes iverilog -Wall, verilator --lint-only -Wall and yosys check", async () => {
    const d = elaborate(EngineCore, BUILD);
    await expectCleanVerilog(d.verilog, d.top);
  }, 300_000);

  it("engineCommand names every field out of the build's limits", () => {
    const at = { input: 0, inPitch: 21, output: 1600, weights: 3200, weightRows: 10, bias: 4800 };
    expect(() => engineCommand(BUILD, { cin: 5, cout: 4, h: 16, w: 20, k: 3, p: 1, relu: false, pool: false }, { ...at, weightRows: 70, bias: 4801 })).toThrow(
      "engine layer command: cin = 5 (1..4), weightRows = 70 (1..64), bias address = 4801 (a multiple of 16 below 2^16)",
    );
    expect(() => engineCommand(BUILD, { cin: 2, cout: 4, h: 16, w: 20, k: 3, p: 2, relu: false, pool: false }, { ...at, inPitch: 28 })).toThrow(
      "engine layer command: output 18 x 22 (at most maxHeight x maxWidth = 16 x 20), inPitch = 28 (w..w + 7)",
    );
    // a shift other than the template's needs a build with a macShift range; p at most T - 1
    const f = NET[0]!.fixed.formats;
    const own = f.inFrac + f.weightFrac - 2 * 3 - f.outFrac;
    expect(() => engineCommand(BUILD, { cin: 2, cout: 4, h: 12, w: 12, k: 3, p: 6, relu: false, pool: false, macShift: own + 1 }, { ...at, inPitch: 12 })).toThrow(
      `engine layer command: p = 6 (0..T - 1 = 5), output 22 x 22 (at most maxHeight x maxWidth = 16 x 20), macShift = ${own + 1} (the build's is ${own}; a build with macShifts takes others)`,
    );
    const ranged = { ...BUILD, macShifts: { min: own - 1, max: own + 1 } };
    expect(engineCommand(ranged, { cin: 2, cout: 4, h: 12, w: 12, k: 3, p: 1, relu: false, pool: false, macShift: own + 1 }, { ...at, inPitch: 12 }).macShift).toBe(own + 1);
    expect(() => engineCommand(ranged, { cin: 2, cout: 4, h: 12, w: 12, k: 3, p: 1, relu: false, pool: false, macShift: own + 2 }, { ...at, inPitch: 12 })).toThrow(
      `engine layer command: macShift = ${own + 2} (the build's range is ${own - 1}..${own + 1})`,
    );
    // a band larger than the tiler's buffer
    expect(() => engineCommand({ ...BUILD, bandCapacity: 60 }, { cin: 4, cout: 4, h: 12, w: 18, k: 3, p: 1, relu: false, pool: false }, { ...at, inPitch: 18 })).toThrow(
      "engine layer command: a band of cin T ceil(w / T) = 72 words (the build's bandCapacity is 60)",
    );
    // h + 2p = 14 needs a third band and tile column of mostly padding: accepted
    expect(() => engineCommand(BUILD, { cin: 2, cout: 4, h: 12, w: 12, k: 3, p: 1, relu: false, pool: false }, { ...at, inPitch: 12 })).not.toThrow();
    // batches: images within maxBatch, the tiles of every image within tileBits, strides on beats
    const shape: EngineLayer = { cin: 2, cout: 4, h: 12, w: 12, k: 3, p: 1, relu: false, pool: false };
    expect(() => engineCommand(BUILD, { ...shape, images: 2 }, { ...at, inPitch: 12, inStride: 512, outStride: 512 })).toThrow("engine layer command: images = 2 (1..maxBatch = 1)");
    const batched: EngineCoreParams = { ...BUILD, maxBatch: 4 };
    expect(() => engineCommand(batched, { ...shape, images: 4 }, { ...at, inPitch: 12, inStride: 520 })).toThrow(
      "engine layer command: tiles = 36 (1..31), inStride = 520 (a multiple of 16 in 1..2^16 - 1, for 4 images), outStride = undefined (a multiple of 16 in 1..2^16 - 1, for 4 images)",
    );
    const cmd = engineCommand(batched, { ...shape, images: 3 }, { ...at, inPitch: 12, inStride: 512, outStride: 256 });
    expect([cmd.tiles, cmd.images, cmd.inStride, cmd.outStride]).toEqual([27, 3, 512, 256]);
  });
});
