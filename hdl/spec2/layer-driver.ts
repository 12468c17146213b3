/**
 * Runs a batch of input maps through a simulated Spec2Layer, back to back: a testbench module
 * (LayerBench) streams the maps from a memory loaded at run time (`initPlusarg`, so one compiled
 * model serves every batch up to its capacity) into `load_*` whenever the layer is ready; the
 * driver collects every lane's `out[j]` words, image by image, and counts cycles and useful MACs.
 * Used by hdl/spec2/run-layer.ts, the LeNet example, the benchmarks and the tests.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { Bool, Input, Mem, Output, Reg, UInt, Vec, Bundle, SInt, defineModule, elaborate, log2Ceil, when, type ElaboratedDesign, type Signal } from "../core";
import { makePlan } from "../../spectral/conv";
import { cacheRoot, simulate, type Backend, type Sample } from "../../sim";
import { assertStreamRules } from "../lib";
import { Spec2Layer, type Spec2LayerParams } from "./layer";
import { peArrayConfig } from "./pe-array";

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
  return { out, macs, overrun, load_fire, hazard };
});

const benches = new Map<string, ElaboratedDesign>();

/** The testbench design for a batch capacity (and, with `verilog`, the given layer Verilog in place of the elaborated one). */
export function layerBench(p: Spec2LayerParams, capacity: number, verilog?: string): ElaboratedDesign {
  // A run of many batches elaborates the same bench once.
  const key = JSON.stringify({ p, capacity });
  let d = benches.get(key);
  if (!d) {
    d = elaborate(LayerBench, { layer: p, depth: capacity * beatsPerImage(p) + 1 });
    if (benches.size >= 8) benches.delete(benches.keys().next().value!);
    benches.set(key, d);
  }
  if (verilog === undefined) return d;
  const start = d.verilog.lastIndexOf(`// ${d.top}:`);
  if (start < 0) throw new Error(`layer driver: cannot find module ${d.top} in its own Verilog`);
  return { ...d, verilog: `${verilog}\n${d.verilog.slice(start)}` };
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
  const text = lines.join("\n") + "\n";
  const dir = join(cacheRoot(), "spec2-inputs");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${createHash("sha256").update(text).digest("hex").slice(0, 20)}.hex`);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
  return file;
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
  const design = layerBench(p, capacity, opts.verilog);
  const depth = capacity * beatsPerImage(p) + 1;
  const file = writeInputFile(p, maps, depth);
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
  const sim = await simulate(design, { ...(opts.backend ? { backend: opts.backend } : {}), plusargs: { spec2_input: file } });
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
