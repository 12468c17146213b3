/**
 * Runs a batch of input maps through a simulated Spec2Layer, back to back: a testbench module
 * (LayerBench) streams the maps from a memory loaded at run time (`initPlusarg`, so one compiled
 * model serves every batch up to its capacity) into `load_*` whenever the layer is ready; the
 * driver collects every lane's `out[j]` words, image by image, and counts cycles and useful MACs.
 * Used by hdl/spec2/run-layer.ts, the LeNet example, the benchmarks and the tests.
 * A layer built with streamed weights (PeArray `weights: { maxDepth }`) gets its schedule from a
 * BurstMemory model (`weightMemory`, loaded at run time with the weight image, engine/weight-image.ts)
 * through a WeightLoader: one command at reset, its bank serving every tile of the capacity.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { Bool, Input, Mem, Output, Reg, UInt, Vec, Bundle, SInt, connect, defineModule, elaborate, log2Ceil, when, type ElaboratedDesign, type Signal, type Var } from "../core";
import { makePlan } from "../../spectral/conv";
import { cacheRoot, simulate, type Backend, type Sample } from "../../sim";
import { BurstMemory, assertStreamRules, type BurstPortParams } from "../lib";
import { imageBeats, weightImage } from "./engine/weight-image";
import { WeightLoader } from "./engine/weight-loader";
import { Spec2Layer, type Spec2LayerParams } from "./layer";
import { peArrayCapacity, peArrayConfig, peArraySchedule, peArrayWeightRow, type StreamedWeights } from "./pe-array";

export interface BatchRun {
  /** Output words per image, Cout x Ho x Wo, as the RTL produced them. */
  readonly outputs: Int32Array[];
  /** Cycles from the first input beat of image 1 to the last output word of image N. */
  readonly cycles: number;
  /** Useful complex MACs counted in simulation. */
  readonly macs: number;
  /** macs / (P x cycles) */
  readonly peUtilisation: number;
  /** the PE array's read-modify-write check fired (layers built with checkHazards only) */
  readonly hazard: boolean;
}

export interface DriverOptions {
  readonly backend?: Backend;
  /** Images the compiled testbench can hold (default: the batch size); keep it fixed to reuse one model. */
  readonly capacity?: number;
  /** Verilog of the layer's modules to simulate instead of the elaborated ones (same module names). */
  readonly verilog?: string;
  /** Give up after this many cycles (default: a generous bound from the layer shape). */
  readonly maxCycles?: number;
  /** Called as images complete (every lane has all their words). */
  readonly onImage?: (done: number, total: number) => void;
  /** Streamed weights only: the external memory (default DEFAULT_WEIGHT_MEMORY). */
  readonly weightMemory?: WeightMemory;
}

/** The external memory a layer with streamed weights reads its schedule from (a BurstMemory). */
export interface WeightMemory {
  readonly dataBytes: number;
  readonly bytesPerCycle: number;
  readonly latency: number;
}

/** 64-byte beats at 64 bytes per clock (12.8 GB/s at 200 MHz), latency 20 clocks. */
export const DEFAULT_WEIGHT_MEMORY: WeightMemory = { dataBytes: 64, bytesPerCycle: 64, latency: 20 };

/** What the bench needs to stream weights: the memory, the image's beats and rows, the tiles of the whole capacity. */
interface BenchWeights {
  readonly memory: WeightMemory;
  readonly beats: number;
  readonly rows: number;
  readonly tiles: number;
}

/** Load beats of one image: Cin x H rows of ceil(W / loadWords) beats. */
export function beatsPerImage(p: Spec2LayerParams): number {
  const { cin, h, w } = p.layer;
  return cin * h * Math.ceil(w / (p.loadWords ?? 1));
}

interface BenchParams {
  readonly layer: Spec2LayerParams;
  /** words of the input memory */
  readonly depth: number;
  readonly weights?: BenchWeights;
}

/** The layer fed from a run-time loaded memory: word = {valid, loadWords x actBits}. */
const LayerBench = defineModule("LayerBench", (p: BenchParams) => {
  const f = p.layer.layer.formats;
  const lw = p.layer.loadWords ?? 1;
  const c = peArrayConfig(p.layer);
  const { K, cout, ho, wo } = makePlan(p.layer.layer);
  const out = Output(
    Vec(c.ifftLanes, Bundle({ valid: Bool(), channel: UInt(log2Ceil(cout)), row: UInt(log2Ceil(ho)), col: UInt(log2Ceil(wo)), mask: UInt(K), values: Vec(K, SInt(f.actBits)) })),
  );
  const macs = Output(UInt(log2Ceil(c.pOut * c.pIn + 1)));
  const overrun = Output(Bool());
  const load_fire = Output(Bool());
  const hazard = Output(Bool());
  const source = Mem(p.depth, UInt(1 + lw * f.actBits), { initPlusarg: "spec2_input" });
  const ptr = Reg(UInt(log2Ceil(p.depth + 1)), { init: 0 });
  const word = source.readAsync(ptr.resize(log2Ceil(p.depth)));
  const layer = Spec2Layer.instance(p.layer, { name: "dut" });
  const valid = ptr.lt(p.depth).and(word.bit(lw * f.actBits));
  layer.load_valid.assign(valid);
  for (let q = 0; q < lw; q++) layer.load_data.at(q).assign(word.bits((q + 1) * f.actBits - 1, q * f.actBits).asSInt());
  const fire = valid.and(layer.load_ready);
  when(fire, () => ptr.assign(ptr.addWrap(1)));
  assertStreamRules({ valid, ready: layer.load_ready, bits: layer.load_data }, "load");
  load_fire.assign(fire);
  for (let j = 0; j < c.ifftLanes; j++) {
    const o = out.at(j);
    const l = layer.out.at(j);
    for (const k of ["valid", "channel", "row", "col", "mask"] as const) o[k].assign(l[k]);
    for (let q = 0; q < K; q++) o.values.at(q).assign(l.values.at(q));
  }
  macs.assign(layer.macs);
  overrun.assign(layer.overrun);
  hazard.assign((layer as { hazard?: Signal }).hazard ?? false);
  if (p.weights) feedWeights(p.layer, p.weights, layer.weights);
  return { out, macs, overrun, load_fire, hazard };
});

/** Inside LayerBench: the weight memory and loader, one command at reset, rows into the layer's `weights`. */
function feedWeights(p: Spec2LayerParams, w: BenchWeights, sink: unknown): void {
  const row = peArrayWeightRow(p)!;
  const maxDepth = (p.weights as StreamedWeights).maxDepth;
  const words = Math.max(2, w.beats);
  const port: BurstPortParams = { addrBits: log2Ceil(words * w.memory.dataBytes) + 1, dataBytes: w.memory.dataBytes };
  const mem = BurstMemory.instance({ port, words, bytesPerCycle: w.memory.bytesPerCycle, latency: w.memory.latency, initPlusarg: "spec2_weights" }, { name: "weight_mem" });
  const loader = WeightLoader.instance({ port, row: row.shape, maxDepth, tileBits: row.tileBits }, { name: "weight_loader" });
  connect(mem.port.ar, loader.ar);
  connect(loader.r, mem.port.r);
  for (const v of [mem.port.aw.valid, mem.port.aw.bits.addr, mem.port.aw.bits.len, mem.port.w.valid, mem.port.w.bits.data, mem.port.w.bits.strb, mem.port.w.bits.last]) v.assign(0);
  for (const v of [mem.dbgAddr, mem.dbgWe, mem.dbgWdata]) v.assign(0);
  const sent = Reg(Bool(), { init: 0, name: "weights_sent" });
  loader.cmd.valid.assign(sent.not());
  loader.cmd.bits.addr.assign(0);
  loader.cmd.bits.rows.assign(w.rows);
  loader.cmd.bits.tiles.assign(w.tiles);
  // the layer's channel counts go with its bank (the array's run-time cin and cout)
  const counts = loader.cmd.bits as unknown as { cin: Var; cout: Var };
  counts.cin.assign(p.layer.cin);
  counts.cout.assign(p.layer.cout);
  when(loader.cmd.valid.and(loader.cmd.ready), () => sent.assign(1));
  connect(sink, loader.rows);
}

const benches = new Map<string, ElaboratedDesign>();

/** The bench's weight stream of a layer with streamed weights (the image of its own schedule). */
function benchWeights(p: Spec2LayerParams, capacity: number, memory: WeightMemory): { weights: BenchWeights; beats: bigint[] } | undefined {
  const row = peArrayWeightRow(p);
  if (!row) return undefined;
  const img = weightImage(peArraySchedule(p), memory.dataBytes, peArrayCapacity(p)!.oBits);
  const { tilesX, tilesY } = makePlan(p.layer);
  const tiles = capacity * tilesX * tilesY;
  if (tiles >= 2 ** row.tileBits) throw new Error(`layer driver: ${tiles} tiles in a batch of ${capacity} exceed the weights' tileBits = ${row.tileBits}`);
  const beats = imageBeats(img);
  return { weights: { memory, beats: beats.length, rows: img.rows, tiles }, beats };
}

/** The testbench design for a batch capacity (and, with `verilog`, the given layer Verilog in place of the elaborated one). */
export function layerBench(p: Spec2LayerParams, capacity: number, verilog?: string, weightMemory: WeightMemory = DEFAULT_WEIGHT_MEMORY): ElaboratedDesign {
  // A run of many batches elaborates the same bench once.
  const key = JSON.stringify({ p, capacity, weightMemory });
  let d = benches.get(key);
  if (!d) {
    const streamed = benchWeights(p, capacity, weightMemory);
    d = elaborate(LayerBench, { layer: p, depth: capacity * beatsPerImage(p) + 1, ...(streamed ? { weights: streamed.weights } : {}) });
    if (benches.size >= 8) benches.delete(benches.keys().next().value!);
    benches.set(key, d);
  }
  if (verilog === undefined) return d;
  const start = d.verilog.lastIndexOf(`// ${d.top}:`);
  if (start < 0) throw new Error(`layer driver: cannot find module ${d.top} in its own Verilog`);
  return { ...d, verilog: `${verilog}\n${d.verilog.slice(start)}` };
}

/** A hex file (one word per line) in the simulator cache, named by its contents, written atomically. */
function writeHexFile(lines: readonly string[]): string {
  const text = lines.join("\n") + "\n";
  const dir = join(cacheRoot(), "spec2-inputs");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${createHash("sha256").update(text).digest("hex").slice(0, 20)}.hex`);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
  return file;
}

/** The hex file of a batch (the `spec2_input` plusarg of `layerBench`): one word per beat, {valid = 1, words}, then zero words up to `depth`. */
export function writeInputFile(p: Spec2LayerParams, maps: readonly ArrayLike<number>[], depth: number): string {
  const { cin, h, w } = p.layer;
  const bits = p.layer.formats.actBits;
  const lw = p.loadWords ?? 1;
  const mask = (1n << BigInt(bits)) - 1n;
  const lines: string[] = [];
  for (const map of maps) {
    for (let row = 0; row < cin * h; row++) {
      for (let c0 = 0; c0 < w; c0 += lw) {
        let word = 1n;
        for (let q = lw - 1; q >= 0; q--) word = (word << BigInt(bits)) | (c0 + q < w ? BigInt(map[row * w + c0 + q]!) & mask : 0n);
        lines.push(word.toString(16));
      }
    }
  }
  while (lines.length < depth) lines.push("0");
  return writeHexFile(lines);
}

const CHUNK = 4096;

const num = (v: Sample[string]): number => (typeof v === "bigint" ? Number(v) : (v as number));

/** Simulates the layer on `maps` (each Cin x H x W input words) back to back in one simulator process. */
export async function runLayerBatch(p: Spec2LayerParams, maps: readonly ArrayLike<number>[], opts: DriverOptions = {}): Promise<BatchRun> {
  const { cin, cout, h, w, ho, wo, K, tilesX, tilesY } = makePlan(p.layer);
  const c = peArrayConfig(p);
  const capacity = opts.capacity ?? maps.length;
  if (maps.length > capacity) throw new Error(`layer driver: ${maps.length} images exceed the testbench capacity ${capacity}`);
  maps.forEach((m, i) => {
    if (m.length !== cin * h * w) throw new Error(`input map ${i} has ${m.length} words, expected ${cin * h * w}`);
  });
  const memory = opts.weightMemory ?? DEFAULT_WEIGHT_MEMORY;
  const design = layerBench(p, capacity, opts.verilog, memory);
  const depth = capacity * beatsPerImage(p) + 1;
  const file = writeInputFile(p, maps, depth);
  const streamed = benchWeights(p, capacity, memory);
  const plusargs = { spec2_input: file, ...(streamed ? { spec2_weights: writeHexFile(streamed.beats.map((b) => b.toString(16))) } : {}) };
  const perLane = Array.from({ length: c.ifftLanes }, (_, j) => Math.ceil((cout - j) / c.ifftLanes) * ho * wo);
  const limit = opts.maxCycles ?? maps.length * (64 * (cin * h * w + tilesX * tilesY * (cin + cout) * K * K * 8)) + 20_000;
  const outputs = maps.map(() => new Int32Array(cout * ho * wo));
  const seen = maps.map(() => new Uint8Array(cout * ho * wo));
  const received = perLane.map(() => 0); // words per lane over the whole batch
  const total = perLane.map((n) => n * maps.length);
  let macs = 0;
  let firstFire = -1;
  let hazard = false;
  let lastOutput = 0;
  let imagesDone = 0;
  const sim = await simulate(design, { ...(opts.backend ? { backend: opts.backend } : {}), plusargs });
  try {
    await sim.reset(2);
    let cycle = 0;
    const absorb = (samples: Sample[], base: number): void => {
      samples.forEach((s, k) => {
        macs += num(s.macs!);
        if (num(s.overrun!) !== 0) throw new Error(`overlap-add overrun at cycle ${base + k}`);
        if (firstFire < 0 && num(s.load_fire!) === 1) firstFire = base + k;
        if (num(s.hazard!) === 1) hazard = true;
        for (let j = 0; j < c.ifftLanes; j++) {
          if (num(s[`out_${j}_valid`]!) !== 1) continue;
          const image = Math.floor(received[j]! / perLane[j]!);
          if (image >= maps.length) throw new Error(`lane ${j}: more output words than ${maps.length} images have`);
          const o = num(s[`out_${j}_channel`]!);
          const row = num(s[`out_${j}_row`]!);
          const col = num(s[`out_${j}_col`]!);
          const mask = num(s[`out_${j}_mask`]!);
          for (let q = 0; q < K; q++) {
            if (((mask >> q) & 1) === 0) continue;
            const at = (o * ho + row) * wo + col + q;
            if (seen[image]![at]) throw new Error(`image ${image}: output word (${o}, ${row}, ${col + q}) emitted twice`);
            seen[image]![at] = 1;
            outputs[image]![at] = num(s[`out_${j}_values_${q}`]!);
            received[j]!++;
          }
          lastOutput = base + k;
        }
      });
    };
    const finished = (): boolean => received.every((n, j) => n >= total[j]!);
    while (!finished()) {
      if (cycle > limit) throw new Error(`layer driver: only ${received.join("/")} of ${total.join("/")} output words per lane after ${cycle} cycles`);
      absorb(await sim.batch(Array.from({ length: CHUNK }, () => ({}))), cycle);
      cycle += CHUNK;
      const done = Math.min(...received.map((n, j) => Math.floor(n / perLane[j]!)));
      if (done > imagesDone) {
        imagesDone = done;
        opts.onImage?.(done, maps.length);
      }
    }
  } finally {
    await sim.close();
  }
  const cycles = lastOutput - firstFire + 1;
  return { outputs, cycles, macs, peUtilisation: macs / (c.pOut * c.pIn * cycles), hazard };
}
