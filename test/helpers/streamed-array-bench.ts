/**
 * A streamed-weight PE array under test: the array (pe-array.ts) with x from ROMs of input columns
 * and y collected, and with streamed weights a BurstMemory holding weight images
 * (engine/weight-image.ts), a WeightLoader and its commands, one per pass (a layer for some tiles,
 * with the layer's cin and cout). Pass sets (layers, passes, array options, channel maxima, PE
 * grid), their tiles' inputs, and the golden columns of every tile from the golden model of the
 * tile's layer (pe-array-golden.ts, spectral/fixed), for test/spec2/engine/weight-loader.test.ts
 * and test/spec2/pe-array-channels.test.ts.
 */
import { expect } from "vitest";
import { Bool, Bundle, Input, Output, Reg, Rom, UInt, Vec, connect, constant, defineModule, elaborate, log2Ceil, when, type Var } from "../../hdl/core";
import { BurstMemory, type BurstPortParams } from "../../hdl/lib";
import { ComplexT } from "../../hdl/spec2/fixed";
import { PeArray, peArrayCapacity, peArrayConfig, peArrayParams, peArrayWeightRow, type PeArrayParams } from "../../hdl/spec2/pe-array";
import { buildSchedule, withDigest } from "../../hdl/spec2/schedule";
import { imageBeats, weightImage } from "../../hdl/spec2/engine/weight-image";
import { WeightLoader } from "../../hdl/spec2/engine/weight-loader";
import { simulate, type Backend, type Stimulus } from "../../sim";
import type { FixedLayer } from "../../spectral/fixed";
import { debugPort, idleWrite } from "./burst-memory";
import { golden, laneColumns, makeInputs, streamOf, wireArrayLanes } from "./pe-array-golden";
import { rng } from "./rng";

export const MAX_DEPTH = 32;
export const TILE_BITS = 4;
const MEM_WORDS = 512;

export interface Memory {
  readonly port: BurstPortParams;
  readonly bytesPerCycle: number;
  readonly latency: number;
}

export const FAST: Memory = { port: { addrBits: 16, dataBytes: 32, lenBits: 4 }, bytesPerCycle: 32, latency: 8 };
export const SLOW: Memory = { port: { addrBits: 16, dataBytes: 8, lenBits: 4 }, bytesPerCycle: 2, latency: 20 };

export interface Command {
  readonly addr: number;
  readonly rows: number;
  readonly tiles: number;
  /** the pass's layer's channel counts (the bank's run-time cin and cout) */
  readonly cin: number;
  readonly cout: number;
}

export interface BenchParams {
  readonly array: PeArrayParams;
  readonly streams: readonly (readonly bigint[])[];
  /** absent: the array's kernel ROMs */
  readonly memory?: Memory;
  readonly commands?: readonly Command[];
}

/** The array with x from ROMs (`go` gates each lane), y ready from the stimulus; streamed: the memory, the loader and its commands from a ROM, `wgo` gating the rows. */
export const Bench = defineModule("StreamedArrayBench", (p: BenchParams) => {
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
  wireArrayLanes(dut, p.streams, K, xb, { go, ready, y, count: c.ifftLanes });
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

/** The default PE grid. */
export const P_OUT = 2;
export const P_IN = 2;

/** Passes of one array build: its layers by name, each pass a layer and its tiles, the array's options. */
export interface PassSet {
  readonly layers: Readonly<Record<string, FixedLayer>>;
  readonly passes: readonly (readonly [string, number])[];
  /** the array's options besides weights (and, streamed, the channel maxima) */
  readonly opts: ArrayOpts;
  readonly capacity?: { readonly maxCin: number; readonly maxCout: number };
  /** the PE grid, default P_OUT x P_IN */
  readonly grid?: readonly [number, number];
}

export const gridOf = (set: PassSet): readonly [number, number] => set.grid ?? [P_OUT, P_IN];

export type ArrayOpts = Omit<PeArrayParams, "layer" | "pOut" | "pIn">;
/** The layer of every tile of a pass set. */
export function tileLayers(set: PassSet): FixedLayer[] {
  return set.passes.flatMap(([name, tiles]) => new Array<FixedLayer>(tiles).fill(set.layers[name]!));
}

export interface Run {
  readonly cols: number[][][][];
  readonly at: number[][];
  macSum: number;
  memError: boolean;
}

export interface Stalls {
  readonly pGo: number;
  readonly pReady: number;
  readonly pW: number;
}

/** The images of the layers in memory (one after the other, at multiples of 16 beats), the commands of the passes. */
export function placeImages(set: PassSet, array: PeArrayParams, memory: Memory): { beats: Map<number, bigint>; commands: Command[] } {
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
export function arrayOf(set: PassSet, memory: Memory | undefined): PeArrayParams {
  const first = set.layers[set.passes[0]![0]]!;
  return peArrayParams(first, ...gridOf(set), memory ? { ...set.opts, weights: { maxDepth: MAX_DEPTH, tileBits: TILE_BITS, ...set.capacity } } : set.opts);
}

export async function runBench(backend: Backend, set: PassSet, X: number[][][], memory: Memory | undefined, stalls: Stalls, seed: number): Promise<Run> {
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
export function passGolden(set: PassSet, X: number[][][], lanes: number): number[][][][] {
  const layers = tileLayers(set);
  return Array.from({ length: lanes }, (_, j) => layers.flatMap((layer, t) => laneColumns(layer, golden(layer, [X[t]!]), lanes, j)));
}
/** The tiles' random spectra, each with the channels of its pass's layer. */
export function passInputs(set: PassSet, seed: number): number[][][] {
  return tileLayers(set).flatMap((layer, t) => makeInputs(layer, 1, seed + t));
}

export function expectGolden(set: PassSet, X: number[][][], got: Run): void {
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
