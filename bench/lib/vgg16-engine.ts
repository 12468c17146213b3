/**
 * Full-size VGG16 on an engine build, from the engine cycle model (hdl/spec2/perf/engine-model.ts):
 * every layer in the passes the host makes for the build (`layerPasses`), each pass a command of
 * `batch` images, per image its clocks, phases, bytes at the memory port and what bounds it.
 */
import type { EngineCoreParams } from "../../hdl/spec2/engine/engine-command";
import { DEFAULT_ENGINE_MEMORY, layerPasses, modelPasses, type NetworkLayer } from "../../hdl/spec2/engine/network-driver";
import { spatialOps } from "../../hdl/spec2/perf/model";
import { VGG16_CONV } from "../../hdl/spec2/perf/vgg16";
import type { FixedLayer } from "../../spectral/fixed";

/** Kept entries a kernel: density 0.25 of K = 8's 40. */
const N = 10;

const POOLED = new Set(["conv1_2", "conv2_2", "conv3_3", "conv4_3", "conv5_3"]);

export interface EngineLayerFigures {
  readonly name: string;
  readonly passes: number;
  /** per image */
  readonly clocks: number;
  readonly weightClocks: number;
  readonly mapClocks: number;
  /** of mapClocks, the band steps that wait for the next band's rows from memory */
  readonly mapLoadBoundClocks: number;
  /** "memory" when the weight stream and the map reads take more of the clocks than compute */
  readonly bound: "memory" | "compute";
  readonly weightBytes: number;
  /** input and output maps and biases */
  readonly mapBytes: number;
}

export interface EngineBatchFigures {
  readonly batch: number;
  readonly clocksPerImage: number;
  readonly msPerImage: number;
  readonly topsEquivalent: number;
  readonly dramBoundLayers: string[];
  readonly weightBytesPerImage: number;
  readonly mapBytesPerImage: number;
  readonly layers: EngineLayerFigures[];
}

export interface EngineVgg16 {
  readonly build: { pOut: number; pIn: number; maxCout: number; maxDepth: number; fftLanes: number; ifftLanes: number };
  readonly clockMHz: number;
  readonly bandwidthGBs: number;
  readonly operationsPerImage: number;
  readonly batches: EngineBatchFigures[];
}

/** A layer of VGG16's shape with N entries a kernel in the build's formats (the model needs counts and widths, not values). */
function shapeLayer(v: (typeof VGG16_CONV)[number], formats: FixedLayer["formats"]): FixedLayer {
  const entries = Array.from({ length: N }, (_, j) => ({ index: j, re: 1, im: 0 }));
  return { cin: v.cin, cout: v.cout, h: v.h, w: v.w, k: v.k, p: v.p, K: 8, relu: true, formats, kernels: new Array(v.cin * v.cout).fill(entries), bias: new Array<number>(v.cout).fill(0) };
}

export function vgg16OnEngine(build: EngineCoreParams, batches: readonly number[], clockMHz: number, progress?: (layer: string) => void): EngineVgg16 {
  const memory = DEFAULT_ENGINE_MEMORY;
  const layers = VGG16_CONV.map((v) => {
    progress?.(v.name);
    const layer: NetworkLayer = { name: v.name, fixed: shapeLayer(v, build.layer.formats), pool: POOLED.has(v.name) };
    // a pass is at most maxCout channels: the accumulators of the build
    const passes = layerPasses(layer, { pOut: build.pOut, pIn: build.pIn, maxDepth: build.maxDepth, wordsPerBeat: (8 * memory.dataBytes) / 16, maxCout: build.maxCout });
    return { v, layer, passes };
  });
  const ops = VGG16_CONV.reduce((s, v) => s + spatialOps(v), 0);
  const figures = batches.map((batch): EngineBatchFigures => {
    const rows = layers.map(({ v, layer, passes }): EngineLayerFigures => {
      const parts = modelPasses(layer, passes, build, memory, batch).map((x) => ({ c: x.cycles, m: x.bytes }));
      const per = (f: (x: (typeof parts)[number]) => number): number => parts.reduce((s, x) => s + f(x), 0) / batch;
      const weightClocks = per((x) => x.c.weights + x.c.bias);
      const mapClocks = per((x) => x.c.map);
      const mapLoadBoundClocks = per((x) => x.c.mapLoadBound);
      return {
        name: v.name, passes: passes.length,
        clocks: Math.round(per((x) => x.c.total)), weightClocks: Math.round(weightClocks), mapClocks: Math.round(mapClocks), mapLoadBoundClocks: Math.round(mapLoadBoundClocks),
        bound: weightClocks + mapLoadBoundClocks > mapClocks - mapLoadBoundClocks ? "memory" : "compute",
        weightBytes: Math.round(per((x) => x.m.weights)), mapBytes: Math.round(per((x) => x.m.bias + x.m.mapIn + x.m.mapOut)),
      };
    });
    const clocks = rows.reduce((s, r) => s + r.clocks, 0);
    const seconds = clocks / (clockMHz * 1e6);
    return {
      batch, clocksPerImage: clocks, msPerImage: 1000 * seconds, topsEquivalent: ops / seconds / 1e12,
      dramBoundLayers: rows.filter((r) => r.bound === "memory").map((r) => r.name),
      weightBytesPerImage: rows.reduce((s, r) => s + r.weightBytes, 0), mapBytesPerImage: rows.reduce((s, r) => s + r.mapBytes, 0),
      layers: rows,
    };
  });
  return {
    build: { pOut: build.pOut, pIn: build.pIn, maxCout: build.maxCout, maxDepth: build.maxDepth, fftLanes: 1, ifftLanes: 1 },
    clockMHz, bandwidthGBs: (memory.bytesPerCycle * clockMHz) / 1000, operationsPerImage: ops, batches: figures,
  };
}
