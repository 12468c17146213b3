/**
 * Streamed weights end to end: two random layers of one shape packed as weight images
 * (weight-image.ts) in a BurstMemory, read by WeightLoader into a PeArray with `weights:
 * { maxDepth }`, three passes back to back (A for 2 tiles, B for 2, A again for 1: each bank
 * loaded while the other computes, bank 0 reloaded after its release). Every output column is
 * checked against the golden model's accumulation and macToIfftInput of its pass's layer
 * (test/helpers/pe-array-golden.ts, from spectral/fixed); fast and slow memory (rows of one and
 * of three beats), random stalls of the weight stream, of x and of y change cycles, never
 * results; with fast memory the steady-state tile period equals the kernel-ROM array's.
 * Run-time channel counts: one build (maxCin 5, maxCout 5) runs passes of layers of different
 * Cin and Cout (each bank with its layer's cin and cout, from the loader's command), bit-exact
 * tile by tile against the golden model of the tile's layer; a bank over either maximum fails the
 * array's assertion.
 */
import { describe, expect, it } from "vitest";
import { Bool, Bundle, Input, Output, Reg, Rom, UInt, Vec, connect, constant, defineModule, elaborate, log2Ceil, when, type Var } from "../../../hdl/core";
import { BurstMemory, type BurstPortParams } from "../../../hdl/lib";
import { ComplexT } from "../../../hdl/spec2/fixed";
import { PeArray, peArrayCapacity, peArrayConfig, peArrayParams, peArrayRates, peArrayWeightRow, type PeArrayParams } from "../../../hdl/spec2/pe-array";
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
  /** the pass's layer's channel counts (the bank's run-time cin and cout) */
  readonly cin: number;
  readonly cout: number;
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
  const mem = BurstMemory.instance({ port: m.port, words: MEM_WORDS, bytesPerCycle: m.bytesPerCycle, latency: m.latency });
  const loader = WeightLoader.instance({ port: m.port, row: peArrayWeightRow(p.array)!.shape, maxDepth: MAX_DEPTH, tileBits: TILE_BITS });
  connect(mem.port.ar, loader.ar);
  connect(loader.r, mem.port.r);
  idleWrite(mem.port);
  const cmds = p.commands;
  // a command: cout [43:36], cin [35:28], addr [27:12], rows [11:4], tiles [3:0]
  const pack = (q: Command): bigint => (BigInt(q.cout) << 36n) | (BigInt(q.cin) << 28n) | (BigInt(q.addr) << 12n) | (BigInt(q.rows) << 4n) | BigInt(q.tiles);
  const cmdRom = Rom(UInt(44), [...cmds.map(pack), 0n], { name: "commands" });
  const cp = Reg(UInt(log2Ceil(cmds.length + 1)), { init: 0, name: "cmd_ptr" });
  const cw = cmdRom.readAsync(cp);
  loader.cmd.valid.assign(cp.lt(cmds.length));
  loader.cmd.bits.addr.assign(cw.bits(27, 12));
  loader.cmd.bits.rows.assign(cw.bits(11, 4).resize(loader.cmd.bits.rows.width));
  loader.cmd.bits.tiles.assign(cw.bits(3, 0));
  const counts = loader.cmd.bits as unknown as { cin: Var; cout: Var };
  counts.cin.assign(cw.bits(35, 28).resize(counts.cin.width));
  counts.cout.assign(cw.bits(43, 36).resize(counts.cout.width));
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

/** Passes of one array build: its layers by name, each pass a layer and its tiles, the array's options. */
interface PassSet {
  readonly layers: Readonly<Record<string, FixedLayer>>;
  readonly passes: readonly (readonly [string, number])[];
  /** the array's options besides weights (and, streamed, the channel maxima) */
  readonly opts: ArrayOpts;
  readonly capacity?: { readonly maxCin: number; readonly maxCout: number };
  /** the PE grid, default P_OUT x P_IN */
  readonly grid?: readonly [number, number];
}

const gridOf = (set: PassSet): readonly [number, number] => set.grid ?? [P_OUT, P_IN];

type ArrayOpts = Omit<PeArrayParams, "layer" | "pOut" | "pIn">;

/** the passes: layer A for 2 tiles, B for 2, A for 1 */
const PASSES: readonly (readonly [string, number])[] = [["A", 2], ["B", 2], ["A", 1]];

/** The layer of every tile of a pass set. */
function tileLayers(set: PassSet): FixedLayer[] {
  return set.passes.flatMap(([name, tiles]) => new Array<FixedLayer>(tiles).fill(set.layers[name]!));
}

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

/** The images of the layers in memory (one after the other, at multiples of 16 beats), the commands of the passes. */
function placeImages(set: PassSet, array: PeArrayParams, memory: Memory): { beats: Map<number, bigint>; commands: Command[] } {
  const beats = new Map<number, bigint>();
  const base: Record<string, number> = {};
  let next = 0;
  const rows: Record<string, number> = {};
  const oBits = peArrayCapacity(array)!.oBits;
  for (const [name, layer] of Object.entries(set.layers)) {
    const img = weightImage(buildSchedule(layer, ...gridOf(set)), memory.port.dataBytes, oBits);
    base[name] = next;
    rows[name] = img.rows;
    imageBeats(img).forEach((b, j) => beats.set(next + j, b));
    next += Math.ceil(img.bytes.length / memory.port.dataBytes / 16) * 16;
  }
  return { beats, commands: set.passes.map(([name, tiles]) => ({ addr: base[name]! * memory.port.dataBytes, rows: rows[name]!, tiles, cin: set.layers[name]!.cin, cout: set.layers[name]!.cout })) };
}

/** The array of a pass set: streamed (with memory) or the kernel ROMs of its first layer. */
function arrayOf(set: PassSet, memory: Memory | undefined): PeArrayParams {
  const first = set.layers[set.passes[0]![0]]!;
  return peArrayParams(first, ...gridOf(set), memory ? { ...set.opts, weights: { maxDepth: MAX_DEPTH, tileBits: TILE_BITS, ...set.capacity } } : set.opts);
}

async function runBench(backend: Backend, set: PassSet, X: number[][][], memory: Memory | undefined, stalls: Stalls, seed: number): Promise<Run> {
  const array = arrayOf(set, memory);
  const c = peArrayConfig(array);
  const { K } = array.layer;
  // the tiles' spectra: each with its own layer's channels
  const streams = Array.from({ length: c.fftLanes }, (_, l) => streamOf(array.layer, X, c.fftLanes, l));
  const placed = memory ? placeImages(set, array, memory) : undefined;
  const d = elaborate(Bench, { array, streams: withDigest(streams, { lanes: streams.length }), ...(memory && placed ? { memory, commands: placed.commands } : {}) });
  const half = K / 2 + 1;
  const perTile = memory ? tileLayers(set) : X.map(() => array.layer);
  const expected = Array.from({ length: c.ifftLanes }, (_, j) => perTile.reduce((n, layer) => n + Math.ceil((layer.cout - j) / c.ifftLanes) * half, 0));
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
            res.cols[j]!.push(Array.from({ length: K }, (_, u) => [smp[`y_${j}_col_${u}_re`] as number, smp[`y_${j}_col_${u}_im`] as number]));
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

/** Per IFFT lane, the golden columns of every tile, each with its pass's layer. */
function passGolden(set: PassSet, X: number[][][], lanes: number): number[][][][] {
  const layers = tileLayers(set);
  return Array.from({ length: lanes }, (_, j) => layers.flatMap((layer, t) => laneColumns(layer, golden(layer, [X[t]!]), lanes, j)));
}

function setAB(): PassSet {
  return { layers: { A: makeLayer(SPEC_A), B: makeLayer(SPEC_B) }, passes: PASSES, opts: ARRAY_OPTS };
}

/** The tiles' random spectra, each with the channels of its pass's layer. */
function passInputs(set: PassSet, seed: number): number[][][] {
  return tileLayers(set).flatMap((layer, t) => makeInputs(layer, 1, seed + t));
}

function expectGolden(set: PassSet, X: number[][][], got: Run): void {
  const want = passGolden(set, X, got.cols.length);
  got.cols.forEach((cols, j) => {
    const w = want[j]!;
    expect(cols.length).toBe(w.length);
    cols.forEach((col, q) => {
      if (JSON.stringify(col) !== JSON.stringify(w[q])) throw new Error(`lane ${j} column ${q}: got ${JSON.stringify(col)}, want ${JSON.stringify(w[q])}`);
    });
  });
  const macs = set.passes.reduce((sum, [name, tiles]) => sum + tiles * buildSchedule(set.layers[name]!, ...gridOf(set)).macsPerTile, 0);
  expect(got.macSum).toBe(macs);
  expect(got.memError).toBe(false);
}

/** End cycle (last output column of lane 0) of every tile. */
function tileEnds(layer: FixedLayer, got: Run, tiles: number): number[] {
  const perTile = Math.ceil(layer.cout / got.cols.length) * (layer.K / 2 + 1);
  return Array.from({ length: tiles }, (_, t) => got.at[0]![(t + 1) * perTile - 1]!);
}

describe("PeArray with weights streamed by WeightLoader from a BurstMemory", () => {
  const set = setAB();
  const layers = { A: set.layers.A!, B: set.layers.B! };
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
      const got = await runBench(backend, set, X, FAST, { pGo: 0.8, pReady: 0.7, pW: 1 }, 1);
      expectGolden(set, X, got);
    }, 180_000);
    if (backend === "verilator") continue;

    it(`${backend}: slow memory (2 B/clock, latency 20, three beats a row) and a stalling weight stream, bit-exact`, async () => {
      const got = await runBench(backend, set, X, SLOW, { pGo: 1, pReady: 0.8, pW: 0.5 }, 2);
      expectGolden(set, X, got);
    }, 120_000);
  }

  it("js: weight-stream stalls change cycles, never results", async () => {
    const free = await runBench("js", set, X, FAST, { pGo: 1, pReady: 1, pW: 1 }, 3);
    const stalled = await runBench("js", set, X, FAST, { pGo: 1, pReady: 1, pW: 0.3 }, 3);
    expectGolden(set, X, free);
    expectGolden(set, X, stalled);
    expect(stalled.cols).toEqual(free.cols);
    expect(stalled.at[0]!.at(-1)!).toBeGreaterThan(free.at[0]!.at(-1)!);
  }, 120_000);

  it("js: with fast memory the steady-state tile period equals the kernel-ROM array's (and the cycle model's)", async () => {
    const streamed = await runBench("js", set, X, FAST, { pGo: 1, pReady: 1, pW: 1 }, 4);
    const rom = await runBench("js", set, X, undefined, { pGo: 1, pReady: 1, pW: 1 }, 4);
    expectGolden({ ...set, passes: [["A", 5]] }, X, rom);
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

describe("PeArray with streamed weights and run-time channel counts (cin, cout with each bank)", () => {
  // one build (maxCin 5, maxCout 5; 2 x 2 PEs, two FFT and two IFFT lanes), four passes of three
  // layers: rounds 2 with a partial last one, 1, 3 (odd, so the X bank parity changes per tile),
  // output channels 4, 3, 5, 1 (full and partial last blocks, lanes of unequal length, an IFFT
  // lane without a channel)
  const set: PassSet = {
    layers: {
      C1: makeLayer({ cin: 3, cout: 4, K: 8, n: 3, seed: 51 }),
      C2: makeLayer({ cin: 2, cout: 3, K: 8, n: 3, seed: 52 }),
      C3: makeLayer({ cin: 5, cout: 5, K: 8, n: 3, seed: 53 }),
      C4: makeLayer({ cin: 2, cout: 1, K: 8, n: 3, seed: 56 }),
    },
    passes: [["C1", 2], ["C2", 1], ["C3", 2], ["C4", 1], ["C2", 1]],
    opts: { fftLanes: 2, ifftLanes: 2, drainWords: 8 },
    capacity: { maxCin: 5, maxCout: 5 },
  };
  const X = passInputs(set, 4321);

  it("the schedules fit the bank depth", () => {
    for (const layer of Object.values(set.layers)) expect(buildSchedule(layer, P_OUT, P_IN).depth).toBeLessThanOrEqual(MAX_DEPTH);
  });

  for (const backend of ["js", "iverilog"] as const) {
    it(`${backend}: 3 -> 4 (2 tiles), 2 -> 3 (1), 5 -> 5 (2), 2 -> 1 (1), 2 -> 3 (1) back to back in one build, stalls on x, y and the weights, bit-exact`, async () => {
      const got = await runBench(backend, set, X, FAST, { pGo: 0.8, pReady: 0.7, pW: 0.7 }, 5);
      expectGolden(set, X, got);
    }, 180_000);
  }

  it("js: slow memory (three beats a row), bit-exact", async () => {
    const got = await runBench("js", set, X, SLOW, { pGo: 1, pReady: 0.9, pW: 1 }, 6);
    expectGolden(set, X, got);
  }, 120_000);

  it("js and iverilog: 3 x 3 PEs, one FFT lane over three groups, one IFFT lane: 7 -> 5, 2 -> 7, 4 -> 3 back to back, bit-exact", async () => {
    const odd: PassSet = {
      layers: {
        D1: makeLayer({ cin: 7, cout: 5, K: 8, n: 2, seed: 61 }),
        D2: makeLayer({ cin: 2, cout: 7, K: 8, n: 2, seed: 62 }),
        D3: makeLayer({ cin: 4, cout: 3, K: 8, n: 2, seed: 63 }),
      },
      passes: [["D1", 1], ["D2", 2], ["D3", 1]],
      opts: { drainWords: 2 },
      capacity: { maxCin: 7, maxCout: 7 },
      grid: [3, 3],
    };
    for (const layer of Object.values(odd.layers)) expect(buildSchedule(layer, 3, 3).depth).toBeLessThanOrEqual(MAX_DEPTH);
    const Xo = passInputs(odd, 99);
    for (const backend of ["js", "iverilog"] as const) expectGolden(odd, Xo, await runBench(backend, odd, Xo, FAST, { pGo: 0.9, pReady: 0.8, pW: 1 }, 9));
  }, 120_000);

  it("js: a bank of more input channels than maxCin fails the array's assertion", async () => {
    const over: PassSet = { ...set, layers: { ...set.layers, X: makeLayer({ cin: 6, cout: 2, K: 8, n: 3, seed: 54 }) }, passes: [["C1", 1], ["X", 1]] };
    await expect(runBench("js", over, passInputs(over, 1), FAST, { pGo: 1, pReady: 1, pW: 1 }, 7)).rejects.toThrow(
      /pe-array-channels\.ts:\d+: assertion failed at cycle \d+: PeArray: a weight bank's cin must be in 2\.\.maxCin = 5/,
    );
  }, 60_000);

  it("js: a bank of more output channels than maxCout fails the array's assertion", async () => {
    const over: PassSet = { ...set, layers: { ...set.layers, X: makeLayer({ cin: 2, cout: 6, K: 8, n: 3, seed: 55 }) }, passes: [["X", 1]] };
    await expect(runBench("js", over, passInputs(over, 1), FAST, { pGo: 1, pReady: 1, pW: 1 }, 8)).rejects.toThrow(
      /pe-array-channels\.ts:\d+: assertion failed at cycle \d+: PeArray: a weight bank's cout must be in 1\.\.maxCout = 5/,
    );
  }, 60_000);

  it("the channel counts come with the weight rows, sized by the maxima; the array and its loader are clean in Icarus, Verilator and Yosys", async () => {
    const array = arrayOf(set, FAST);
    const d = elaborate(PeArray, array);
    expect(d.ports.find((q) => q.name === "weights_bits_cin")!.width).toBe(3);
    expect(d.ports.find((q) => q.name === "weights_bits_cout")!.width).toBe(3);
    await expectCleanVerilog(d.verilog, d.top);
    const loader = elaborate(WeightLoader, { port: SLOW.port, row: peArrayWeightRow(array)!.shape, maxDepth: MAX_DEPTH, tileBits: TILE_BITS });
    expect(loader.ports.map((q) => q.name)).toEqual(expect.arrayContaining(["cmd_bits_cin", "cmd_bits_cout", "rows_bits_cin", "rows_bits_cout"]));
    await expectCleanVerilog(loader.verilog, loader.top);
  }, 180_000);
});
