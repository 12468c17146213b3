/**
 * Streamed weights end to end: two random layers of one shape packed as weight images
 * (weight-image.ts) in a BurstMemory, read by WeightLoader into a PeArray with `weights:
 * { maxDepth }`, three passes back to back (A for 2 tiles, B for 2, A again for 1: each bank
 * loaded while the other computes, bank 0 reloaded after its release). Every output column is
 * checked against the golden model's accumulation and macToIfftInput of its pass's layer
 * (test/helpers/pe-array-golden.ts, from spectral/fixed); fast and slow memory (rows of one and
 * of three beats), random stalls of the weight stream, of x and of y change cycles, never
 * results; with fast memory the steady-state tile period equals the kernel-ROM array's.
 */
import { describe, expect, it } from "vitest";
import { Bool, Bundle, Input, Output, Reg, Rom, UInt, Vec, connect, constant, defineModule, elaborate, log2Ceil, when } from "../../../hdl/core";
import { BurstMemory, type BurstPortParams } from "../../../hdl/lib";
import { ComplexT } from "../../../hdl/spec2/fixed";
import { PeArray, peArrayConfig, peArrayParams, peArrayRates, type PeArrayParams } from "../../../hdl/spec2/pe-array";
import { buildSchedule, withDigest } from "../../../hdl/spec2/schedule";
import { imageBeats, weightImage } from "../../../hdl/spec2/engine/weight-image";
import { WeightLoader } from "../../../hdl/spec2/engine/weight-loader";
import { weightRowShape } from "../../../hdl/spec2/weight-row";
import { simulate, type Backend, type Stimulus } from "../../../sim";
import type { FixedLayer } from "../../../spectral/fixed";
import { debugPort, idleWrite } from "../../helpers/burst-memory";
import { golden, laneColumns, makeInputs, makeLayer, streamOf, type LayerSpec } from "../../helpers/pe-array-golden";
import { rng } from "../../helpers/rng";
import { expectCleanVerilog } from "../../helpers/verilog-tools";

const MAX_DEPTH = 32;
const TILE_BITS = 4;
const MEM_WORDS = 512;

interface Memory {
  readonly port: BurstPortParams;
  readonly bytesPerCycle: number;
  readonly latency: number;
}

const FAST: Memory = { port: { addrBits: 16, dataBytes: 32, lenBits: 4 }, bytesPerCycle: 32, latency: 8 };
const SLOW: Memory = { port: { addrBits: 16, dataBytes: 8, lenBits: 4 }, bytesPerCycle: 2, latency: 20 };

interface Command {
  readonly addr: number;
  readonly rows: number;
  readonly tiles: number;
}

interface BenchParams {
  readonly array: PeArrayParams;
  readonly streams: readonly (readonly bigint[])[];
  /** absent: the array's kernel ROMs */
  readonly memory?: Memory;
  readonly commands?: readonly Command[];
}

/** The array with x from ROMs (`go` gates each lane), y ready from the stimulus; streamed: the memory, the loader and its commands from a ROM, `wgo` gating the rows. */
const Bench = defineModule("StreamedArrayBench", (p: BenchParams) => {
  const { K } = p.array.layer;
  const xb = p.array.layer.formats.fftBits;
  const ib = p.array.layer.formats.ifftBits;
  const c = peArrayConfig(p.array);
  const go = Input(UInt(c.fftLanes));
  const ready = Input(UInt(c.ifftLanes));
  const wgo = Input(Bool());
  const y = Output(Vec(c.ifftLanes, Bundle({ valid: Bool(), last: Bool(), col: Vec(K, ComplexT(ib)) })));
  const macs = Output(UInt(log2Ceil(p.array.pOut * p.array.pIn + 1)));
  const memError = Output(Bool());
  const dut = PeArray.instance(p.array, { name: "dut" });
  p.streams.forEach((stream, l) => {
    const n = stream.length;
    const src = Rom(UInt(2 * K * xb + 1), [...stream, 0n], { name: `src${l}` });
    const ptr = Reg(UInt(log2Ceil(n + 1)), { init: 0, name: `ptr${l}` });
    const word = src.readAsync(ptr);
    const x = dut.x.at(l);
    x.valid.assign(go.bit(l).and(ptr.lt(n)));
    x.bits.last.assign(word.bit(2 * K * xb));
    for (let u = 0; u < K; u++) {
      x.bits.col.at(u).re.assign(word.bits(2 * xb * u + 2 * xb - 1, 2 * xb * u + xb).asSInt());
      x.bits.col.at(u).im.assign(word.bits(2 * xb * u + xb - 1, 2 * xb * u).asSInt());
    }
    when(x.valid.and(x.ready), () => ptr.assign(ptr.addWrap(1)));
  });
  for (let j = 0; j < c.ifftLanes; j++) {
    const out = dut.y.at(j);
    out.ready.assign(ready.bit(j));
    y.at(j).valid.assign(out.valid);
    y.at(j).last.assign(out.bits.last);
    for (let u = 0; u < K; u++) {
      y.at(j).col.at(u).re.assign(out.bits.col.at(u).re);
      y.at(j).col.at(u).im.assign(out.bits.col.at(u).im);
    }
  }
  macs.assign(dut.macs);
  const ports = { go, ready, wgo, y, macs, memError };
  if (!p.memory || !p.commands) {
    memError.assign(constant(0, Bool()));
    return ports;
  }
  // ---- streamed: memory, loader, commands ----
  const m = p.memory;
  const s = buildSchedule(p.array.layer, p.array.pOut, p.array.pIn);
  const mem = BurstMemory.instance({ port: m.port, words: MEM_WORDS, bytesPerCycle: m.bytesPerCycle, latency: m.latency });
  const loader = WeightLoader.instance({ port: m.port, row: weightRowShape(s), maxDepth: MAX_DEPTH, tileBits: TILE_BITS });
  connect(mem.port.ar, loader.ar);
  connect(loader.r, mem.port.r);
  idleWrite(mem.port);
  const cmds = p.commands;
  const cmdRom = Rom(UInt(16 + 8 + TILE_BITS), [...cmds.map((q) => (BigInt(q.addr) << 12n) | (BigInt(q.rows) << 4n) | BigInt(q.tiles)), 0n], { name: "commands" });
  const cp = Reg(UInt(log2Ceil(cmds.length + 1)), { init: 0, name: "cmd_ptr" });
  const cw = cmdRom.readAsync(cp);
  loader.cmd.valid.assign(cp.lt(cmds.length));
  loader.cmd.bits.addr.assign(cw.bits(27, 12));
  loader.cmd.bits.rows.assign(cw.bits(11, 4).resize(loader.cmd.bits.rows.width));
  loader.cmd.bits.tiles.assign(cw.bits(3, 0));
  when(loader.cmd.valid.and(loader.cmd.ready), () => cp.assign(cp.addWrap(1)));
  const weights = (dut as unknown as { weights: typeof loader.rows }).weights;
  connect(weights.bits, loader.rows.bits);
  weights.valid.assign(loader.rows.valid.and(wgo));
  loader.rows.ready.assign(weights.ready.and(wgo));
  const dbg = debugPort(mem, log2Ceil(MEM_WORDS), 8 * m.port.dataBytes);
  memError.assign(mem.error);
  return { ...ports, ...dbg };
});

const SPEC_A: LayerSpec = { cin: 3, cout: 4, K: 8, n: 6, seed: 41 };
const SPEC_B: LayerSpec = { cin: 3, cout: 4, K: 8, n: 6, seed: 42 };
const P_OUT = 2;
const P_IN = 2;
const ARRAY_OPTS = { drainWords: 8 } as const;
/** the passes: layer A for 2 tiles, B for 2, A for 1 */
const PASSES: readonly (readonly ["A" | "B", number])[] = [["A", 2], ["B", 2], ["A", 1]];

interface Run {
  readonly cols: number[][][][];
  readonly at: number[][];
  macSum: number;
  memError: boolean;
}

interface Stalls {
  readonly pGo: number;
  readonly pReady: number;
  readonly pW: number;
}

/** The images of A and B in memory (B after A, at a multiple of 16 beats), the commands of the passes. */
function placeImages(layers: { A: FixedLayer; B: FixedLayer }, memory: Memory): { beats: Map<number, bigint>; commands: Command[] } {
  const beats = new Map<number, bigint>();
  const base: Record<string, number> = {};
  let next = 0;
  const rows: Record<string, number> = {};
  for (const name of ["A", "B"] as const) {
    const img = weightImage(buildSchedule(layers[name], P_OUT, P_IN), memory.port.dataBytes);
    base[name] = next;
    rows[name] = img.rows;
    imageBeats(img).forEach((b, j) => beats.set(next + j, b));
    next += Math.ceil(img.bytes.length / memory.port.dataBytes / 16) * 16;
  }
  return { beats, commands: PASSES.map(([name, tiles]) => ({ addr: base[name]! * memory.port.dataBytes, rows: rows[name]!, tiles })) };
}

async function runBench(backend: Backend, layers: { A: FixedLayer; B: FixedLayer }, X: number[][][], memory: Memory | undefined, stalls: Stalls, seed: number): Promise<Run> {
  const array = peArrayParams(layers.A, P_OUT, P_IN, memory ? { ...ARRAY_OPTS, weights: { maxDepth: MAX_DEPTH, tileBits: TILE_BITS } } : ARRAY_OPTS);
  const c = peArrayConfig(array);
  const streams = Array.from({ length: c.fftLanes }, (_, l) => streamOf(layers.A, X, c.fftLanes, l));
  const placed = memory ? placeImages(layers, memory) : undefined;
  const d = elaborate(Bench, { array, streams: withDigest(streams, { lanes: streams.length }), ...(memory && placed ? { memory, commands: placed.commands } : {}) });
  const half = layers.A.K / 2 + 1;
  const expected = Array.from({ length: c.ifftLanes }, (_, j) => X.length * Math.ceil((layers.A.cout - j) / c.ifftLanes) * half);
  const res: Run = { cols: expected.map(() => []), at: expected.map(() => []), macSum: 0, memError: false };
  const sim = await simulate(d, { backend });
  const r = rng(seed);
  const bits = (n: number, p: number): number => Array.from({ length: n }, (_, k) => (r() < p ? 1 << k : 0)).reduce((a, b) => a | b, 0);
  try {
    await sim.reset(2);
    if (placed) await sim.batch([...placed.beats].map(([a, b]) => ({ dbg_we: 1, dbg_addr: a, dbg_wdata: b })), { allowX: true });
    const limit = 20_000;
    let cycle = 0;
    const done = (): boolean => res.cols.every((cols, j) => cols.length >= expected[j]!);
    while (!done()) {
      if (cycle > limit) throw new Error(`no progress: ${res.cols.map((x) => x.length).join("/")} of ${expected.join("/")} columns after ${cycle} cycles`);
      const stim: Stimulus[] = Array.from({ length: 256 }, () => ({ go: bits(c.fftLanes, stalls.pGo), ready: bits(c.ifftLanes, stalls.pReady), wgo: r() < stalls.pW ? 1 : 0, ...(placed ? { dbg_we: 0 } : {}) }));
      const samples = await sim.batch(stim, { allowX: placed ? ["dbg_data"] : [] });
      samples.forEach((smp, k) => {
        res.macSum += smp.macs as number;
        if (smp.memError === 1) res.memError = true;
        for (let j = 0; j < c.ifftLanes; j++) {
          if (smp[`y_${j}_valid`] === 1 && ((Number(stim[k]!.ready) >> j) & 1) === 1 && res.cols[j]!.length < expected[j]!) {
            res.cols[j]!.push(Array.from({ length: layers.A.K }, (_, u) => [smp[`y_${j}_col_${u}_re`] as number, smp[`y_${j}_col_${u}_im`] as number]));
            res.at[j]!.push(cycle + k);
          }
        }
      });
      cycle += stim.length;
    }
  } finally {
    await sim.close();
  }
  return res;
}

/** The golden columns of every tile, each with its pass's layer. */
function passGolden(layers: { A: FixedLayer; B: FixedLayer }, X: number[][][], passes: readonly (readonly ["A" | "B", number])[]): number[][][] {
  const perTile = passes.flatMap(([name, tiles]) => new Array<"A" | "B">(tiles).fill(name));
  return perTile.flatMap((name, t) => golden(layers[name], [X[t]!]));
}

function layersAB(): { A: FixedLayer; B: FixedLayer } {
  return { A: makeLayer(SPEC_A), B: makeLayer(SPEC_B) };
}

function expectGolden(layers: { A: FixedLayer; B: FixedLayer }, X: number[][][], got: Run, passes = PASSES): void {
  const want = passGolden(layers, X, passes);
  got.cols.forEach((cols, j) => {
    const w = laneColumns(layers.A, want, got.cols.length, j);
    expect(cols.length).toBe(w.length);
    cols.forEach((col, q) => {
      if (JSON.stringify(col) !== JSON.stringify(w[q])) throw new Error(`lane ${j} column ${q}: got ${JSON.stringify(col)}, want ${JSON.stringify(w[q])}`);
    });
  });
  const macs = passes.reduce((sum, [name, tiles]) => sum + tiles * buildSchedule(layers[name], P_OUT, P_IN).macsPerTile, 0);
  expect(got.macSum).toBe(macs);
  expect(got.memError).toBe(false);
}

/** End cycle (last output column of lane 0) of every tile. */
function tileEnds(layer: FixedLayer, got: Run, tiles: number): number[] {
  const perTile = Math.ceil(layer.cout / got.cols.length) * (layer.K / 2 + 1);
  return Array.from({ length: tiles }, (_, t) => got.at[0]![(t + 1) * perTile - 1]!);
}

describe("PeArray with weights streamed by WeightLoader from a BurstMemory", () => {
  const layers = layersAB();
  const X = makeInputs(layers.A, 5, 1234);

  it("the two layers differ and have the same schedule depth (so the steady state is comparable)", () => {
    const a = buildSchedule(layers.A, P_OUT, P_IN);
    const b = buildSchedule(layers.B, P_OUT, P_IN);
    expect(a.depth).toBe(b.depth);
    expect(a.depth).toBeLessThanOrEqual(MAX_DEPTH);
    expect(JSON.stringify(layers.A.kernels)).not.toEqual(JSON.stringify(layers.B.kernels));
  });

  for (const backend of ["js", "iverilog", "verilator"] as const) {
    it(`${backend}: fast memory (a row per beat), x and y stalls: A, B, A back to back, bit-exact`, async () => {
      const got = await runBench(backend, layers, X, FAST, { pGo: 0.8, pReady: 0.7, pW: 1 }, 1);
      expectGolden(layers, X, got);
    }, 180_000);
    if (backend === "verilator") continue;

    it(`${backend}: slow memory (2 B/clock, latency 20, three beats a row) and a stalling weight stream, bit-exact`, async () => {
      const got = await runBench(backend, layers, X, SLOW, { pGo: 1, pReady: 0.8, pW: 0.5 }, 2);
      expectGolden(layers, X, got);
    }, 120_000);
  }

  it("js: weight-stream stalls change cycles, never results", async () => {
    const free = await runBench("js", layers, X, FAST, { pGo: 1, pReady: 1, pW: 1 }, 3);
    const stalled = await runBench("js", layers, X, FAST, { pGo: 1, pReady: 1, pW: 0.3 }, 3);
    expectGolden(layers, X, free);
    expectGolden(layers, X, stalled);
    expect(stalled.cols).toEqual(free.cols);
    expect(stalled.at[0]!.at(-1)!).toBeGreaterThan(free.at[0]!.at(-1)!);
  }, 120_000);

  it("js: with fast memory the steady-state tile period equals the kernel-ROM array's (and the cycle model's)", async () => {
    const streamed = await runBench("js", layers, X, FAST, { pGo: 1, pReady: 1, pW: 1 }, 4);
    const rom = await runBench("js", layers, X, undefined, { pGo: 1, pReady: 1, pW: 1 }, 4);
    expectGolden(layers, X, rom, [["A", 5]]);
    const se = tileEnds(layers.A, streamed, 5);
    const re = tileEnds(layers.A, rom, 5);
    const periods = (e: number[]): number[] => e.slice(1).map((v, t) => v - e[t]!);
    const romSteady = periods(re).at(-1)!;
    expect(romSteady).toBe(peArrayRates(peArrayParams(layers.A, P_OUT, P_IN, ARRAY_OPTS)).tile);
    // from the second tile on, across the switches A -> B -> A
    expect(periods(se).slice(1)).toEqual(new Array<number>(3).fill(romSteady));
    console.log(`tile ends: streamed ${se.join(" ")} (periods ${periods(se).join("/")}), ROM ${re.join(" ")} (periods ${periods(re).join("/")})`);
  }, 120_000);

  it("emits Verilog that Icarus, Verilator and Yosys accept without warnings (the streamed array and the loader)", async () => {
    const s = buildSchedule(layers.A, P_OUT, P_IN);
    const array = elaborate(PeArray, peArrayParams(layers.A, P_OUT, P_IN, { ...ARRAY_OPTS, weights: { maxDepth: MAX_DEPTH } }));
    expect(array.ports.map((q) => q.name)).toEqual(expect.arrayContaining(["weights_valid", "weights_ready", "weights_bits_last", "weights_bits_tiles", "weights_bits_words_3"]));
    await expectCleanVerilog(array.verilog, array.top);
    const loader = elaborate(WeightLoader, { port: SLOW.port, row: weightRowShape(s), maxDepth: MAX_DEPTH, tileBits: TILE_BITS });
    await expectCleanVerilog(loader.verilog, loader.top);
    // bursts of 256 beats (AXI's 8-bit len) longer than any command: the count still holds a burst
    expect(() => elaborate(WeightLoader, { port: { addrBits: 32, dataBytes: 64 }, row: weightRowShape(s), maxDepth: 16, tileBits: TILE_BITS })).not.toThrow();
  }, 180_000);
});
