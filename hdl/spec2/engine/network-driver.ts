/**
 * Runs the conv layers of a network on a simulated EngineCore (engine-bench.ts), layer after
 * layer and image after image, each layer reading the previous one's output from the external
 * memory model, and compares every layer's output map with the golden model (goldenConvLayer,
 * then 2x2 max-pooling when the layer pools; each layer's golden input the previous golden
 * output). The host side of the engine: it chooses the build that fits every layer
 * (`networkBuild`), lays out the memory (`planNetwork`: inputs, weight images, biases, outputs)
 * and issues one `engineCommand` per layer and image, as a sequencer would.
 *
 * Per layer it reports the clocks the core was busy (command taken to done, memory stalls
 * included), the memory traffic counted at the port, the output words that differ from the
 * golden model, and the performance model's cycles for the same layer and build (perf/model.ts
 * layerPerf: compute and memory overlapped, so below the engine's, which reads biases, weights
 * and the map one after the other).
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { elaborate } from "../../core";
import { cacheRoot, simulate, type Backend, type Sample } from "../../../sim";
import { goldenConvLayer, macShift, maxPool2Words, type FixedLayer } from "../../../spectral/fixed";
import { makePlan } from "../../../spectral/conv";
import { bitsFor } from "../generator-params";
import { peArrayCapacity } from "../pe-array";
import { buildSchedule } from "../schedule";
import { DEFAULT_SYSTEM, layerPerf } from "../perf/model";
import { EngineBench } from "./engine-bench";
import { engineArrayParams } from "./engine-core";
import { engineCommand, engineCommandFields, outputPitch, type EngineCommand, type EngineCoreParams } from "./engine-command";
import { imageBeats, weightImage } from "./weight-image";

/** A conv layer of a network as the engine runs it: the fixed-point layer and whether 2x2 max-pooling follows. */
export interface NetworkLayer {
  readonly name: string;
  readonly fixed: FixedLayer;
  readonly pool: boolean;
}

/** The external memory model. */
export interface EngineMemory {
  readonly dataBytes: number;
  readonly bytesPerCycle: number;
  /** clocks from a read command to its first beat */
  readonly latency: number;
}

/** 64-byte beats at 64 bytes per clock (12.8 GB/s at 200 MHz), latency 20 clocks. */
export const DEFAULT_ENGINE_MEMORY: EngineMemory = { dataBytes: 64, bytesPerCycle: 64, latency: 20 };

export interface NetworkBuildOptions {
  readonly pOut: number;
  readonly pIn: number;
  readonly memory?: EngineMemory;
}

const ACT_BYTES = 2;
const REGION_ALIGN = 16; // beats

/** Fields of the formats every layer of one build shares (the FFT, IFFT and accumulator widths). */
const SHARED_FORMATS = ["actBits", "fftBits", "ifftBits", "accBits", "twiddleFrac", "weightBits"] as const;

/**
 * The smallest EngineCore build that runs every layer: the largest channel counts, map sizes,
 * schedule depth and tile count, the range of the layers' macShift; one K and k. An Error names
 * the layer and field that no build can share.
 */
export function networkBuild(layers: readonly NetworkLayer[], o: NetworkBuildOptions): EngineCoreParams {
  if (layers.length === 0) throw new Error("network: no conv layers");
  const first = layers[0]!.fixed;
  const bad: string[] = [];
  for (const l of layers) {
    if (l.fixed.K !== first.K) bad.push(`${l.name}: K = ${l.fixed.K} (${layers[0]!.name}'s is ${first.K})`);
    if (l.fixed.k !== first.k) bad.push(`${l.name}: k = ${l.fixed.k} (${layers[0]!.name}'s is ${first.k}; a build serves one kernel size)`);
    for (const f of SHARED_FORMATS) if (l.fixed.formats[f] !== first.formats[f]) bad.push(`${l.name}: formats.${f} = ${l.fixed.formats[f]} (${layers[0]!.name}'s is ${first.formats[f]})`);
  }
  if (bad.length > 0) throw new Error(`network: the layers cannot share one engine build: ${bad.join("; ")}`);
  const memory = o.memory ?? DEFAULT_ENGINE_MEMORY;
  const plans = layers.map((l) => makePlan(l.fixed));
  const shifts = layers.map((l) => macShift(l.fixed.K, l.fixed.formats));
  const lo = Math.min(...shifts);
  const hi = Math.max(...shifts);
  const depth = Math.max(...layers.map((l) => buildSchedule(l.fixed, o.pOut, o.pIn).depth));
  return {
    layer: first,
    pOut: o.pOut,
    pIn: o.pIn,
    maxCin: Math.max(...layers.map((l) => l.fixed.cin)),
    maxCout: Math.max(...layers.map((l) => l.fixed.cout)),
    maxHeight: Math.max(...plans.flatMap((q) => [q.h, q.ho])),
    maxWidth: Math.max(...plans.flatMap((q) => [q.w, q.wo])),
    maxDepth: depth,
    tileBits: bitsFor(Math.max(...plans.map((q) => q.tilesX * q.tilesY))),
    port: { addrBits: 32, dataBytes: memory.dataBytes, lenBits: 4 },
    ...(lo < hi ? { macShifts: { min: lo, max: hi } } : {}),
  };
}

/** Where a map lives: first beat, words between rows, its shape. */
interface MapRegion {
  readonly beat: number;
  readonly pitch: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
}

/** The memory layout of a run and the commands of its layers. */
export interface NetworkPlan {
  readonly build: EngineCoreParams;
  /** memory size in beats */
  readonly words: number;
  /** every beat that is not zero */
  readonly image: Map<number, bigint>;
  /** per image: the network input's region */
  readonly inputs: MapRegion[];
  /** per layer: its output region (shared by the images: read back after each layer) */
  readonly outputs: MapRegion[];
  /** per image, per layer */
  readonly commands: EngineCommand[][];
}

const word16 = (v: number): bigint => BigInt(v & 0xffff);

/** Lays out the memory for `inputs` (each the first layer's Cin x H x W input words) and makes the commands. */
export function planNetwork(build0: EngineCoreParams, layers: readonly NetworkLayer[], inputs: readonly ArrayLike<number>[]): NetworkPlan {
  const wpb = (8 * build0.port.dataBytes) / 16;
  const image = new Map<number, bigint>();
  let next = 0;
  const take = (beats: number): number => {
    const at = next;
    next += Math.ceil(Math.max(1, beats) / REGION_ALIGN) * REGION_ALIGN;
    return at;
  };
  const putMap = (r: MapRegion, words: ArrayLike<number>): void => {
    for (let row = 0; row < r.c * r.h; row++)
      for (let x0 = 0; x0 < r.w; x0 += wpb) {
        let v = 0n;
        for (let j = Math.min(wpb, r.w - x0) - 1; j >= 0; j--) v = (v << 16n) | word16(words[row * r.w + x0 + j]!);
        image.set(r.beat + (row * r.pitch + x0) / wpb, v);
      }
  };
  const l0 = layers[0]!.fixed;
  const inPitch = Math.ceil(l0.w / wpb) * wpb; // rows start on beats: pitch in w..w + wpb - 1
  const inRegions = inputs.map((x, i) => {
    if (x.length !== l0.cin * l0.h * l0.w) throw new Error(`network input ${i}: ${x.length} words, expected ${l0.cin} x ${l0.h} x ${l0.w}`);
    const r: MapRegion = { beat: take((l0.cin * l0.h * inPitch) / wpb), pitch: inPitch, c: l0.cin, h: l0.h, w: l0.w };
    putMap(r, x);
    return r;
  });
  const oBits = peArrayCapacity(engineArrayParams(build0))!.oBits;
  const layerRegions = layers.map((l) => {
    const img = weightImage(buildSchedule(l.fixed, build0.pOut, build0.pIn), build0.port.dataBytes, oBits);
    const wBeats = imageBeats(img);
    const weights = take(wBeats.length);
    wBeats.forEach((b, j) => image.set(weights + j, b));
    const bias = take(l.fixed.cout);
    l.fixed.bias.forEach((b, o) => image.set(bias + o, word16(b)));
    const q = makePlan(l.fixed);
    const h = l.pool ? Math.floor(q.ho / 2) : q.ho;
    const w = l.pool ? Math.floor(q.wo / 2) : q.wo;
    const pitch = outputPitch(build0, q.wo, l.pool);
    const out: MapRegion = { beat: take(Math.ceil((l.fixed.cout * h * pitch) / wpb)), pitch, c: l.fixed.cout, h, w };
    return { weights, rows: img.rows, bias, out };
  });
  const totalBytes = next * build0.port.dataBytes;
  const build: EngineCoreParams = { ...build0, port: { ...build0.port, addrBits: Math.max(bitsFor(totalBytes - 1), 8) } };
  const B = build.port.dataBytes;
  const commands = inRegions.map((input) => {
    let from = input;
    return layers.map((l, i) => {
      const r = layerRegions[i]!;
      const f = l.fixed;
      const cmd = engineCommand(
        build,
        { cin: f.cin, cout: f.cout, h: f.h, w: f.w, k: f.k, p: f.p, relu: f.relu, pool: l.pool, macShift: macShift(f.K, f.formats) },
        { input: from.beat * B, inPitch: from.pitch, output: r.out.beat * B, weights: r.weights * B, weightRows: r.rows, bias: r.bias * B },
      );
      from = r.out;
      return cmd;
    });
  });
  return { build, words: next, image, inputs: inRegions, outputs: layerRegions.map((r) => r.out), commands };
}

/** One layer's result over the images run. */
export interface LayerRun {
  readonly name: string;
  /** clocks the core was busy on this layer, summed over the images */
  readonly cycles: number;
  /** the performance model's cycles for the same images (batch 1 each) */
  readonly modelCycles: number;
  /** output words that differ from the golden model, over the images */
  readonly mismatches: number;
  /** useful complex MACs / (PEs x cycles) */
  readonly peUtilisation: number;
  /** bytes read and written at the memory port, over the images */
  readonly dramBytes: number;
}

export interface NetworkRun {
  readonly layers: LayerRun[];
  readonly mismatches: number;
  /** per image, the last layer's output words as the RTL wrote them (pooled when it pools) */
  readonly outputs: Int32Array[];
  readonly build: EngineCoreParams;
}

export interface NetworkRunOptions extends NetworkBuildOptions {
  readonly backend?: Backend;
  /** called after every layer of every image */
  readonly onLayer?: (image: number, layer: number) => void;
  /** give up on a layer after this many clocks (default: a bound from its shape) */
  readonly maxLayerClocks?: number;
}

const num = (v: Sample[string] | undefined): number => (typeof v === "bigint" ? Number(v) : (v as number));

/** The performance model's clocks for one image of a layer on the build (batch 1, the memory's bandwidth). */
export function modelLayerCycles(l: NetworkLayer, build: EngineCoreParams, bytesPerCycle: number): number {
  const f = l.fixed;
  const n = Math.max(...f.kernels.map((k) => k.length));
  const perf = layerPerf(
    { name: l.name, cin: f.cin, cout: f.cout, h: f.h, w: f.w, k: f.k, p: f.p },
    { K: f.K, pOut: build.pOut, pIn: build.pIn, fftLanes: 1, ifftLanes: 1, n },
    { ...DEFAULT_SYSTEM, clockHz: 1, dramBytesPerS: bytesPerCycle, weightWordsPerPe: 2 * build.maxDepth },
  );
  return Math.round(Math.max(perf.computeS, perf.memoryS));
}

/** Runs the network's conv layers on `inputs` (the first layer's input words per image) and compares every layer with the golden model. */
export async function runNetwork(layers: readonly NetworkLayer[], inputs: readonly ArrayLike<number>[], o: NetworkRunOptions): Promise<NetworkRun> {
  const memory = o.memory ?? DEFAULT_ENGINE_MEMORY;
  const plan = planNetwork(networkBuild(layers, o), layers, inputs);
  const { build } = plan;
  const design = elaborate(EngineBench, { core: build, words: plan.words, bytesPerCycle: memory.bytesPerCycle, latency: memory.latency });
  const memFile = join(cacheRoot(), `engine-mem-${process.pid}-${Date.now()}.hex`);
  writeFileSync(memFile, `${Array.from({ length: plan.words }, (_, b) => (plan.image.get(b) ?? 0n).toString(16)).join("\n")}\n`);
  const wpb = (8 * build.port.dataBytes) / 16;
  const fields = engineCommandFields(build);
  const useful = layers.map((l) => {
    const q = makePlan(l.fixed);
    return q.tilesX * q.tilesY * l.fixed.kernels.reduce((s, k) => s + k.length, 0);
  });
  const totals = layers.map(() => ({ cycles: 0, mismatches: 0, bytes: 0 }));
  const outputs: Int32Array[] = [];
  const sim = await simulate(design, { ...(o.backend ? { backend: o.backend } : {}), plusargs: { engine_mem: memFile } });
  try {
    await sim.reset(2);
    let layersDone = 0;
    for (const [img, x0] of inputs.entries()) {
      let golden: ArrayLike<number> = x0;
      for (const [i, l] of layers.entries()) {
        const q = makePlan(l.fixed);
        let want = goldenConvLayer(l.fixed, golden);
        if (l.pool) want = maxPool2Words(want, q.cout, q.ho, q.wo);
        const before = await sim.peekAll();
        const cmd = plan.commands[img]![i]!;
        sim.poke("cmd_valid", 1);
        for (const k of fields) sim.poke(`cmd_bits_${k}`, cmd[k]!);
        if ((await sim.peek("cmd_ready")) !== 1) throw new Error(`engine: the core did not take ${l.name}'s command (image ${img})`);
        await sim.step();
        sim.poke("cmd_valid", 0);
        const limit = o.maxLayerClocks ?? 64 * (q.tilesX * q.tilesY * (q.cin + q.cout) * q.K * q.K + q.cin * q.h * q.w) + 100_000;
        let stepped = 0;
        while ((await sim.peek("layers")) === layersDone) {
          if (stepped > limit) throw new Error(`engine: ${l.name} (image ${img}) not done after ${stepped} clocks`);
          await sim.step(64);
          stepped += 64;
        }
        layersDone++;
        const after = await sim.peekAll();
        if (num(after.overrun) !== 0) throw new Error(`engine: overrun on ${l.name} (image ${img})`);
        if (num(after.memError) !== 0) throw new Error(`engine: memory model error on ${l.name} (image ${img})`);
        const t = totals[i]!;
        t.cycles += num(after.clocks);
        t.bytes += (num(after.rdBeats) - num(before.rdBeats) + num(after.wrBeats) - num(before.wrBeats)) * build.port.dataBytes;
        const r = plan.outputs[i]!;
        const beats = Math.ceil((r.c * r.h * r.pitch) / wpb);
        const back = await sim.batch(Array.from({ length: beats }, (_, j) => ({ dbg_addr: r.beat + j })));
        const words = back.flatMap((s) => {
          const v = BigInt(s.dbg_data as bigint | number);
          return Array.from({ length: wpb }, (_, j) => Number(BigInt.asIntN(16, (v >> BigInt(16 * j)) & 0xffffn)));
        });
        const got = Int32Array.from({ length: r.c * r.h * r.w }, (_, k) => words[Math.floor(k / r.w) * r.pitch + (k % r.w)]!);
        for (let k = 0; k < got.length; k++) if (got[k] !== want[k]) t.mismatches++;
        if (i === layers.length - 1) outputs.push(got);
        golden = want;
        o.onLayer?.(img, i);
      }
    }
  } finally {
    await sim.close();
    rmSync(memFile, { force: true });
  }
  const P = build.pOut * build.pIn;
  const runs = layers.map((l, i): LayerRun => {
    const t = totals[i]!;
    return {
      name: l.name,
      cycles: t.cycles,
      modelCycles: inputs.length * modelLayerCycles(l, build, memory.bytesPerCycle),
      mismatches: t.mismatches,
      peUtilisation: t.cycles > 0 ? (inputs.length * useful[i]!) / (P * t.cycles) : 0,
      dramBytes: t.bytes,
    };
  });
  return { layers: runs, mismatches: runs.reduce((s, r) => s + r.mismatches, 0), outputs, build };
}
