/**
 * Runs the conv layers of a network on a simulated Engine (engine.ts, in engine-bench.ts with its
 * external memory model) and compares every layer's output map with the golden model
 * (goldenConvLayer, then 2x2 max-pooling when the layer pools; each layer's golden input the
 * previous golden output). The host side of the engine: it chooses the build that fits every
 * layer (`networkBuild`, with output-channel passes where a layer's schedule is deeper than a
 * weight bank), lays out the memory of each layer (`planLayer`: weight images, biases, input and
 * output maps) and writes the layer's commands (one per pass and image) as one list through the
 * control port, started once.
 *
 * Per layer it reports the clocks from the list's start to its done (memory stalls and the
 * list's fetches included), the memory traffic counted at the port, the output words that differ
 * from the golden model, and the engine cycle model's clocks for the same layer and build
 * (perf/engine-model.ts).
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { elaborate, type ElaboratedDesign } from "../../core";
import { cacheRoot, simulate, type Backend, type Sample } from "../../../sim";
import { goldenConvLayer, macShift, maxPool2Words, type FixedLayer } from "../../../spectral/fixed";
import { makePlan } from "../../../spectral/conv";
import { bitsFor } from "../generator-params";
import { peArrayCapacity } from "../pe-array";
import { accDepth } from "../pe";
import { buildSchedule, type Schedule } from "../schedule";
import { engineCommandBytes, engineCommandCycles, keptEntries, type CommandBytes, type CommandCycles } from "../perf/engine-model";
import { EngineBench } from "./engine-bench";
import { engineArrayParams } from "./engine-core";
import { engineCommand, engineSizes, writtenPitch, type EngineCommand, type EngineCoreParams } from "./engine-command";
import { engineCommandWords, engineProgram, type ControlWrite, type EngineParams } from "./engine";
import { imageBeats, rowBeats, weightImage } from "./weight-image";
import { weightRowShape } from "../weight-row";

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
  /** rows of a weight buffer bank; a layer whose schedule is deeper runs in output-channel passes (default DEFAULT_MAX_DEPTH) */
  readonly maxDepth?: number;
  /** images a command runs on one fetch of its weights (the build's maxBatch; default 1) */
  readonly batch?: number;
}

/** A weight bank of 2048 rows: 2048 x (PE words) per bank, a few block RAMs per PE. */
export const DEFAULT_MAX_DEPTH = 2048;

const ACT_BYTES = 2;
const REGION_ALIGN = 16; // beats

/** Fields of the formats every layer of one build shares (the FFT, IFFT and accumulator widths). */
const SHARED_FORMATS = ["actBits", "fftBits", "ifftBits", "accBits", "twiddleFrac", "weightBits"] as const;

/** One pass of a layer: its output channels first .. first + cout - 1, as a layer of its own. */
export interface Pass {
  readonly first: number;
  readonly fixed: FixedLayer;
  /** its PE-array schedule (schedule.ts) */
  readonly schedule: Schedule;
  /** the schedule's depth (weight rows) */
  readonly depth: number;
}

/** The output channels [first, first + count) of a layer: their kernels and biases. */
function channelSlice(f: FixedLayer, first: number, count: number): FixedLayer {
  return { ...f, cout: count, kernels: f.kernels.slice(first * f.cin, (first + count) * f.cin), bias: f.bias.slice(first, first + count) };
}

/** Output rows and words between them of a layer's written map (pooled when it pools). */
function writtenShape(l: NetworkLayer, K: number): { h: number; w: number; pitch: number } {
  const q = makePlan(l.fixed);
  const w = l.pool ? Math.floor(q.wo / 2) : q.wo;
  return { h: l.pool ? Math.floor(q.ho / 2) : q.ho, w, pitch: writtenPitch(K, w) };
}

/**
 * The output-channel passes of a layer: one when its schedule fits a bank of maxDepth rows, else
 * (or more output channels than `maxCout`, the accumulators' capacity) passes of C channels (the
 * last one fewer), C the largest multiple of pOut, at most maxCout, whose schedule fits
 * and whose channels fill whole memory beats of the output map (so the next pass writes from a
 * beat). An Error when not even pOut channels fit.
 */
export function layerPasses(l: NetworkLayer, o: { pOut: number; pIn: number; maxDepth: number; wordsPerBeat: number; maxCout?: number }): Pass[] {
  const f = l.fixed;
  const depthOf = (c: number): number => buildSchedule(channelSlice(f, 0, c), o.pOut, o.pIn).depth;
  const n = keptEntries(f);
  const maxCout = o.maxCout ?? f.cout;
  const single = f.cout <= maxCout && Math.ceil(f.cout / o.pOut) * Math.ceil(f.cin / o.pIn) * n <= o.maxDepth ? buildSchedule(f, o.pOut, o.pIn) : undefined;
  if (single && single.depth <= o.maxDepth) return [{ first: 0, fixed: f, schedule: single, depth: single.depth }];
  const { h, pitch } = writtenShape(l, f.K);
  // a pass of C channels takes at least ceil(C / pOut) ceil(cin / pIn) n rows: start from the largest C that bound allows
  const bound = Math.floor(o.maxDepth / (Math.ceil(f.cin / o.pIn) * n)) * o.pOut;
  let C = Math.min(Math.floor(Math.min(f.cout, maxCout) / o.pOut) * o.pOut, Math.max(bound, o.pOut));
  while (C >= o.pOut && (depthOf(C) > o.maxDepth || (C * h * pitch) % o.wordsPerBeat !== 0)) C -= o.pOut;
  if (C < o.pOut) throw new Error(`${l.name}: ${o.pOut} output channels (one per PE row) need ${depthOf(Math.min(o.pOut, f.cout))} weight rows, more than a bank's maxDepth = ${o.maxDepth}`);
  const passes: Pass[] = [];
  for (let first = 0; first < f.cout; first += C) {
    const fixed = channelSlice(f, first, Math.min(C, f.cout - first));
    const schedule = buildSchedule(fixed, o.pOut, o.pIn);
    passes.push({ first, fixed, schedule, depth: schedule.depth });
  }
  return passes;
}

/** A build and every layer's passes. */
export interface NetworkBuild {
  readonly build: EngineCoreParams;
  readonly passes: Pass[][];
}

/**
 * The smallest EngineCore build that runs every layer (in passes where a layer's schedule is
 * deeper than maxDepth): the largest channel counts (of a pass, for the outputs), map sizes,
 * schedule depth and tile count, the range of the layers' macShift; one K and k. An Error names
 * the layer and field that no build can share.
 */
export function networkBuild(layers: readonly NetworkLayer[], o: NetworkBuildOptions): NetworkBuild {
  if (layers.length === 0) throw new Error("network: no conv layers");
  const first = layers[0]!.fixed;
  const bad: string[] = [];
  for (const l of layers) {
    if (l.fixed.K !== first.K) bad.push(`${l.name}: K = ${l.fixed.K} (${layers[0]!.name}'s is ${first.K})`);
    if (l.fixed.k !== first.k) bad.push(`${l.name}: k = ${l.fixed.k} (${layers[0]!.name}'s is ${first.k}; a build serves one kernel size)`);
    for (const f of SHARED_FORMATS) if (l.fixed.formats[f] !== first.formats[f]) bad.push(`${l.name}: formats.${f} = ${l.fixed.formats[f]} (${layers[0]!.name}'s is ${first.formats[f]})`);
  }
  if (bad.length > 0) throw new Error(`network: the layers cannot share one engine build: ${bad.join("; ")}`);
  const batch = o.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1 || batch > 256) throw new Error(`network: batch = ${o.batch} (an integer in 1..256)`);
  const memory = o.memory ?? DEFAULT_ENGINE_MEMORY;
  const wordsPerBeat = (8 * memory.dataBytes) / 16;
  const passes = layers.map((l) => layerPasses(l, { pOut: o.pOut, pIn: o.pIn, maxDepth: o.maxDepth ?? DEFAULT_MAX_DEPTH, wordsPerBeat }));
  const plans = layers.map((l) => makePlan(l.fixed));
  const shifts = layers.map((l) => macShift(l.fixed.K, l.fixed.formats));
  const lo = Math.min(...shifts);
  const hi = Math.max(...shifts);
  const build: EngineCoreParams = {
    layer: first,
    pOut: o.pOut,
    pIn: o.pIn,
    maxCin: Math.max(...layers.map((l) => l.fixed.cin)),
    maxCout: Math.max(...passes.flat().map((q) => q.fixed.cout)),
    maxHeight: Math.max(...plans.flatMap((q) => [q.h, q.ho])),
    maxWidth: Math.max(...plans.flatMap((q) => [q.w, q.wo])),
    maxDepth: Math.max(...passes.flat().map((q) => q.depth)),
    tileBits: bitsFor(batch * Math.max(...plans.map((q) => q.tilesX * q.tilesY))),
    port: { addrBits: 32, dataBytes: memory.dataBytes, lenBits: 4 },
    ...(lo < hi ? { macShifts: { min: lo, max: hi } } : {}),
    ...(batch > 1 ? { maxBatch: batch } : {}),
  };
  return { build, passes };
}

/** Where a map lives: first beat, words between rows, its shape. */
interface MapRegion {
  readonly beat: number;
  readonly pitch: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
}

/** The memory of one layer run over some images: its passes' weights and biases, each image's input and output. */
export interface LayerPlan {
  /** memory size in beats */
  readonly words: number;
  /** every beat that is not zero */
  readonly image: Map<number, bigint>;
  readonly inputs: MapRegion[];
  readonly outputs: MapRegion[];
  /** per batch (consecutive images, the build's maxBatch at most), per pass */
  readonly commands: EngineCommand[][];
  /** images of each batch */
  readonly batches: number[];
}

const word16 = (v: number): bigint => BigInt(v & 0xffff);

/**
 * Lays out the memory of one layer for `inputs` (each the layer's Cin x H x W input words) and
 * makes the commands: per batch of up to maxBatch consecutive images, one per pass, each writing
 * its channels into the images' output maps (the input maps one after another at a constant
 * stride, then the output maps likewise, as a batch command addresses them). With `sizeOnly` nothing is packed or stored: only `words`, the size the layout
 * needs (a build's memory is the largest over its layers), and the commands.
 */
export function planLayer(build: EngineCoreParams, l: NetworkLayer, passes: readonly Pass[], inputs: readonly ArrayLike<number>[], sizeOnly = false): LayerPlan {
  const B = build.port.dataBytes;
  const wpb = (8 * B) / 16;
  const image = new Map<number, bigint>();
  let next = 0;
  const take = (beats: number): number => {
    const at = next;
    next += aligned(beats);
    return at;
  };
  const f = l.fixed;
  const oBits = peArrayCapacity(engineArrayParams(build))!.oBits;
  const stored = passes.map((q) => {
    if (sizeOnly) return { weights: take(q.depth * rowBeats(weightRowShape(q.schedule, oBits), B)), rows: q.depth, bias: take(q.fixed.cout) };
    const img = weightImage(q.schedule, B, oBits);
    const wBeats = imageBeats(img);
    const weights = take(wBeats.length);
    wBeats.forEach((b, j) => image.set(weights + j, b));
    const bias = take(q.fixed.cout);
    q.fixed.bias.forEach((b, o) => image.set(bias + o, word16(b)));
    return { weights, rows: img.rows, bias };
  });
  const inPitch = Math.ceil(f.w / wpb) * wpb; // rows start on beats: pitch in w..w + wpb - 1
  const out = writtenShape(l, f.K);
  const inBeats = aligned((f.cin * f.h * inPitch) / wpb);
  const outBeats = aligned(Math.ceil((f.cout * out.h * out.pitch) / wpb));
  const inputsAt: MapRegion[] = inputs.map(() => ({ beat: take(inBeats), pitch: inPitch, c: f.cin, h: f.h, w: f.w }));
  const outputsAt: MapRegion[] = inputs.map(() => ({ beat: take(outBeats), pitch: out.pitch, c: f.cout, h: out.h, w: out.w }));
  inputs.forEach((x, i) => {
    if (x.length !== f.cin * f.h * f.w) throw new Error(`${l.name}: input ${i} has ${x.length} words, expected ${f.cin} x ${f.h} x ${f.w}`);
    const input = inputsAt[i]!;
    for (let row = 0; row < (sizeOnly ? 0 : f.cin * f.h); row++)
      for (let x0 = 0; x0 < f.w; x0 += wpb) {
        let v = 0n;
        for (let j = Math.min(wpb, f.w - x0) - 1; j >= 0; j--) v = (v << 16n) | word16(x[row * f.w + x0 + j]!);
        image.set(input.beat + (row * inPitch + x0) / wpb, v);
      }
  });
  const maxBatch = build.maxBatch ?? 1;
  const batches = Array.from({ length: Math.ceil(inputs.length / maxBatch) }, (_, g) => Math.min(maxBatch, inputs.length - g * maxBatch));
  const commands = batches.map((images, g) => {
    const input = inputsAt[g * maxBatch]!;
    const output = outputsAt[g * maxBatch]!;
    return passes.map((q, j) => {
      const s = stored[j]!;
      const p = q.fixed;
      return engineCommand(
        build,
        { cin: p.cin, cout: p.cout, h: p.h, w: p.w, k: p.k, p: p.p, relu: p.relu, pool: l.pool, macShift: macShift(p.K, p.formats), images },
        { input: input.beat * B, inPitch, output: output.beat * B + (q.first * out.h * out.pitch * ACT_BYTES), weights: s.weights * B, weightRows: s.rows, bias: s.bias * B, inStride: inBeats * B, outStride: outBeats * B },
      );
    });
  });
  return { words: next, image, inputs: inputsAt, outputs: outputsAt, commands, batches };
}

/** Beats rounded up to whole regions. */
function aligned(beats: number): number {
  return Math.ceil(Math.max(1, beats) / REGION_ALIGN) * REGION_ALIGN;
}

/** One layer's result over the images run. */
export interface LayerRun {
  readonly name: string;
  /** clocks the core was busy on this layer, summed over the images */
  readonly cycles: number;
  /** the performance model's cycles for the same images in the same batches */
  readonly modelCycles: number;
  /** output words that differ from the golden model, over the images */
  readonly mismatches: number;
  /** useful complex MACs / (PEs x cycles) */
  readonly peUtilisation: number;
  /** bytes read and written at the memory port, over the images */
  readonly dramBytes: number;
  /** the performance model's bytes for the same images in the same batches */
  readonly modelDramBytes: number;
}

export interface NetworkRun {
  readonly layers: LayerRun[];
  readonly mismatches: number;
  /** per image, the last layer's output words as the RTL wrote them (pooled when it pools) */
  readonly outputs: Int32Array[];
  /** per image, the golden model's last-layer output (each layer's golden input the previous golden output) */
  readonly goldenOutputs: Int32Array[];
  readonly build: EngineCoreParams;
  /** per layer, its passes' output channel counts */
  readonly passes: number[][];
}

export interface NetworkRunOptions extends NetworkBuildOptions {
  readonly backend?: Backend;
  /** images whose maps share one memory image (default 32): a simulation per layer and chunk */
  readonly chunk?: number;
  /** called after every layer of every chunk of images */
  readonly onLayer?: (layer: number, imagesDone: number) => void;
}

const num = (v: Sample[string] | undefined): number => (typeof v === "bigint" ? Number(v) : (v as number));

/**
 * The engine model (perf/engine-model.ts) of each of a layer's passes on a batch of `images` on
 * the build: its clocks and the bytes it moves at the memory port; `clearLeft`: clocks of the
 * PEs' clear sweep after reset still to go when the first pass starts (`clearSweepLeft`).
 */
export function modelPasses(l: NetworkLayer, passes: readonly Pass[], build: EngineCoreParams, memory: EngineMemory, images = 1, clearLeft = 0): { cycles: CommandCycles; bytes: CommandBytes }[] {
  const oBits = peArrayCapacity(engineArrayParams(build))!.oBits;
  const B = build.port.dataBytes;
  const b = { pOut: build.pOut, pIn: build.pIn, loadWords: engineSizes(build).loadWords, commandWords: engineCommandWords(build) };
  const { pitch } = writtenShape(l, build.layer.K);
  return passes.map((q, j) => {
    const beats = q.depth * rowBeats(weightRowShape(q.schedule, oBits), B);
    return { cycles: engineCommandCycles(q.fixed, l.pool, beats, b, memory, images, j === 0 ? clearLeft : 0), bytes: engineCommandBytes(q.fixed, l.pool, beats, B, pitch, images) };
  });
}

/** Clocks of the PEs' clear sweep after reset (pe.ts trackKeep: a word a clock) left after `writes` control writes. */
export function clearSweepLeft(build: EngineCoreParams, writes: number): number {
  const cap = peArrayCapacity(engineArrayParams(build))!;
  return Math.max(0, accDepth(build.layer.K, 1, cap.oLoc) - writes);
}

/** Golden output of a layer (pooled when it pools). */
export function goldenLayer(l: NetworkLayer, x: ArrayLike<number>): Int32Array {
  const q = makePlan(l.fixed);
  const y = goldenConvLayer(l.fixed, x);
  return l.pool ? maxPool2Words(y, q.cout, q.ho, q.wo) : y;
}

/**
 * Runs the network's conv layers on `inputs` (the first layer's input words per image) and
 * compares every layer with the golden model. Images go in chunks; for each chunk, each layer is
 * one simulation of one compiled EngineBench whose memory holds the layer's weights, biases and
 * the chunk's input and output maps; the next layer's inputs are the maps the RTL wrote, read
 * back from the memory (the golden model runs alongside on its own outputs).
 */
export async function runNetwork(layers: readonly NetworkLayer[], inputs: readonly ArrayLike<number>[], o: NetworkRunOptions): Promise<NetworkRun> {
  const memory = o.memory ?? DEFAULT_ENGINE_MEMORY;
  const { build: build0, passes } = networkBuild(layers, o);
  const batch = o.batch ?? 1;
  // a chunk is whole batches (but for the last)
  const chunk = Math.min(Math.ceil(Math.max(1, o.chunk ?? 32) / batch) * batch, Math.ceil(inputs.length / batch) * batch);
  // the memory of the largest layer plan (any input words: only the layout counts)
  const words = Math.max(...layers.map((l, i) => planLayer(build0, l, passes[i]!, Array.from({ length: chunk }, () => new Int32Array(l.fixed.cin * l.fixed.h * l.fixed.w)), true).words));
  const build: EngineCoreParams = { ...build0, port: { ...build0.port, addrBits: Math.max(bitsFor(words * memory.dataBytes - 1), 8) } };
  const engine: EngineParams = { core: build, maxCommands: Math.max(...passes.map((ps) => ps.length)) * Math.ceil(chunk / batch) };
  const design = elaborate(EngineBench, { engine, words, bytesPerCycle: memory.bytesPerCycle, latency: memory.latency });
  const wpb = (8 * build.port.dataBytes) / 16;
  const useful = layers.map((l) => {
    const q = makePlan(l.fixed);
    return q.tilesX * q.tilesY * l.fixed.kernels.reduce((s, k) => s + k.length, 0);
  });
  const totals = layers.map(() => ({ cycles: 0, modelCycles: 0, mismatches: 0, bytes: 0, modelBytes: 0 }));
  const outputs: Int32Array[] = [];
  const goldenOutputs: Int32Array[] = [];
  const memFile = join(cacheRoot(), `engine-mem-${process.pid}.hex`);
  try {
    for (let c0 = 0; c0 < inputs.length; c0 += chunk) {
      let maps: ArrayLike<number>[] = inputs.slice(c0, c0 + chunk);
      let golden: Int32Array[] = maps.map((x) => Int32Array.from(x));
      for (const [i, l] of layers.entries()) {
        const plan = planLayer(build, l, passes[i]!, maps);
        writeFileSync(memFile, `${Array.from({ length: words }, (_, b) => (plan.image.get(b) ?? 0n).toString(16)).join("\n")}\n`);
        const want = golden.map((x) => goldenLayer(l, x));
        const program = engineProgram(engine, plan.commands.flat());
        const got = await runLayerSim(design, memFile, plan, program, wpb, o.backend, l.name, c0);
        const t = totals[i]!;
        t.cycles += got.cycles;
        // each simulation starts from reset: its first command may wait for the clear sweep
        plan.batches.forEach((images, g) => {
          const model = modelPasses(l, passes[i]!, build, memory, images, g === 0 ? clearSweepLeft(build, program.length) : 0);
          t.modelCycles += Math.round(model.reduce((sum, x) => sum + x.cycles.total, 0));
          t.modelBytes += model.reduce((sum, x) => sum + x.bytes.total, 0);
        });
        t.bytes += got.beats * build.port.dataBytes;
        got.maps.forEach((m, j) => {
          for (let k = 0; k < m.length; k++) if (m[k] !== want[j]![k]) t.mismatches++;
        });
        maps = got.maps;
        golden = want;
        o.onLayer?.(i, c0 + maps.length);
      }
      outputs.push(...(maps as Int32Array[]));
      goldenOutputs.push(...golden);
    }
  } finally {
    rmSync(memFile, { force: true });
  }
  const P = build.pOut * build.pIn;
  const runs = layers.map((l, i): LayerRun => {
    const t = totals[i]!;
    return {
      name: l.name,
      cycles: t.cycles,
      modelCycles: t.modelCycles,
      mismatches: t.mismatches,
      peUtilisation: t.cycles > 0 ? (inputs.length * useful[i]!) / (P * t.cycles) : 0,
      dramBytes: t.bytes,
      modelDramBytes: t.modelBytes,
    };
  });
  return { layers: runs, mismatches: runs.reduce((s, r) => s + r.mismatches, 0), outputs, goldenOutputs, build, passes: passes.map((ps) => ps.map((q) => q.fixed.cout)) };
}

/** One simulation: the layer's program (its commands, every pass of every batch, as one list written through the control port, `engineProgram`), from one start; the output maps read back. */
async function runLayerSim(design: ElaboratedDesign, memFile: string, plan: LayerPlan, writes: readonly ControlWrite[], wpb: number, backend: Backend | undefined, name: string, firstImage: number): Promise<{ cycles: number; beats: number; maps: Int32Array[] }> {
  const sim = await simulate(design, { ...(backend ? { backend } : {}), plusargs: { engine_mem: memFile } });
  const maps: Int32Array[] = [];
  try {
    await sim.reset(2);
    const commands = plan.commands.flat();
    await sim.batch(writes.map((w) => ({ ctrl_valid: 1, ctrl_bits_addr: w.addr, ctrl_bits_data: w.data })));
    sim.poke("ctrl_valid", 0);
    const limit = commands.reduce((s, c) => s + 64 * (c.tiles * (c.cin + c.cout) * 64 + c.wRows * 8 + (c.images ?? 1) * c.cin * c.h * c.inPitch) + 100_000, 0);
    let stepped = 0;
    while ((await sim.peek("runs")) === 0) {
      if (stepped > limit) throw new Error(`engine: ${name} (images ${firstImage + 1}..${firstImage + plan.inputs.length}) not done after ${stepped} clocks`);
      await sim.step(64);
      stepped += 64;
    }
    const s = await sim.peekAll();
    if (num(s.overrun) !== 0) throw new Error(`engine: overrun on ${name} (images ${firstImage + 1}..${firstImage + plan.inputs.length})`);
    if (num(s.memError) !== 0) throw new Error(`engine: memory model error on ${name} (images ${firstImage + 1}..${firstImage + plan.inputs.length})`);
    for (const r of plan.outputs) {
      const beats = Math.ceil((r.c * r.h * r.pitch) / wpb);
      const back = await sim.batch(Array.from({ length: beats }, (_, j) => ({ dbg_addr: r.beat + j })));
      const words = back.flatMap((q) => {
        const v = BigInt(q.dbg_data as bigint | number);
        return Array.from({ length: wpb }, (_, j) => Number(BigInt.asIntN(16, (v >> BigInt(16 * j)) & 0xffffn)));
      });
      maps.push(Int32Array.from({ length: r.c * r.h * r.w }, (_, k) => words[Math.floor(k / r.w) * r.pitch + (k % r.w)]!));
    }
    return { cycles: num(s.clocks), beats: num(s.rdBeats) + num(s.wrBeats), maps };
  } finally {
    await sim.close();
  }
}
