/**
 * Performance model of the SPEC2 layer pipeline as built (Spec2Layer, hdl/spec2/layer.ts), per
 * SPEC2.md section 5. Every per-tile rate comes from the units' own exported functions:
 *
 *   tiler      InputTiler lane 0 (the most channels): inputTilerRowsPerTile = ceil(Cin/fftLanes) x T
 *   FFT        Fft2dForward: ceil(Cin/fftLanes) x fft2dForwardCyclesPerTile(K, T)
 *   PE array   peArrayRatesOf (pe-array.ts): MAC issue D = ceil(Cin/pIn) x ceil(Cout/pOut) x n,
 *              X load, drain, IFFT-lane output, and the bank-reuse pairs
 *   IFFT       Ifft2d: ceil(Cout/ifftLanes) x ifft2dCyclesPerBlock(K) (= K/2+1, two rows per pass)
 *   OaA        OverlapAdd lane 0: overlapAddEmitCyclesPerBand / tilesX per tile (emission of a band
 *              overlaps the next tile row)
 *
 * A tile takes the max of the rates (every stage is double-buffered or FIFO-coupled); an image
 * takes max(tiles x tile, its load beats), the tiler being double-buffered (image n+1 loads while
 * image n is tiled); a batch of N images streamed back to back takes fill + N x image + tail
 * (batchCycles), from the first input beat to the last output word, as the RTL driver
 * (hdl/spec2/layer-driver.ts) counts. Validated against Icarus/Verilator runs in
 * test/spec2/perf/model.test.ts and bench/validate.ts.
 */
import { fft2dForwardCyclesPerTile, fft2dForwardLatency } from "../fft2d";
import { ifft2dCyclesPerBlock, ifft2dLatency, ifft2dRowBeatsPerBlock } from "../ifft2d";
import { halfCols, halfPlaneEntries, indexWidths } from "../index-decoder";
import { INPUT_TILER_LATENCY, inputTilerRowsPerTile } from "../input-tiler";
import { OVERLAP_ADD_LATENCY, overlapAddBandCycles, overlapAddEmitCyclesPerBand } from "../overlap-add";
import { PE_MAC_LATENCY } from "../pe";
import { DRAIN_PIPELINE, peArrayRatesOf } from "../pe-array";
import type { ConvShape } from "../../../spectral/conv";

/** One convolution layer (stride 1, odd k). */
export interface ConvLayer extends Omit<ConvShape, "K"> {
  readonly name: string;
}

/** One configuration of the accelerator. */
export interface ArchConfig {
  /** FFT size */
  readonly K: number;
  readonly pOut: number;
  readonly pIn: number;
  /** tiler + Fft2dForward lanes (a divisor of pIn) */
  readonly fftLanes: number;
  /** Ifft2d + OverlapAdd lanes (a divisor of pOut) */
  readonly ifftLanes: number;
  /** stored entries per spectral kernel (10 of 40 for K = 8 at 75% pruning) */
  readonly n: number;
  /** X words written per load beat (pe.ts xWords), default K */
  readonly xWords?: number;
  /** accumulator words drained per clock (pe.ts drainWords), default 1 */
  readonly drainWords?: number;
  /** input words per load beat (layer.ts loadWords), default 1 */
  readonly loadWords?: number;
  /**
   * accumulator regions per PE: output channels a PE can hold per pass (default: ceil(Cout/pOut)
   * of the layer). Fewer regions mean several passes over the input (modelled, not built).
   */
  readonly accRegions?: number;
}

/** n = round(density * K*(K/2+1)) (SPEC2.md section 2). */
export function entriesPerKernel(K: number, density: number): number {
  return Math.round(density * halfPlaneEntries(K));
}

export interface Geometry {
  readonly T: number;
  readonly hp: number;
  readonly wp: number;
  readonly ho: number;
  readonly wo: number;
  readonly tilesX: number;
  readonly tilesY: number;
  readonly tiles: number;
}

export function geometry(l: ConvLayer, K: number): Geometry {
  const T = K - l.k + 1;
  if (T < 1) throw new RangeError(`K = ${K} too small for k = ${l.k}`);
  const hp = l.h + 2 * l.p;
  const wp = l.w + 2 * l.p;
  const tilesX = Math.ceil(wp / T);
  const tilesY = Math.ceil(hp / T);
  return { T, hp, wp, ho: hp - l.k + 1, wo: wp - l.k + 1, tilesX, tilesY, tiles: tilesX * tilesY };
}

export type UnitName = "tiler" | "fft" | "peLoad" | "mac" | "drain" | "lane" | "pair" | "xPair" | "ifft" | "oaaEmit";

export type TileRates = Readonly<Record<UnitName, number>> & {
  /** the max of the above */
  readonly tile: number;
  /** the unit setting the tile time */
  readonly bound: UnitName;
};

const shapeOf = (l: ConvLayer, K: number): ConvShape => ({ cin: l.cin, cout: l.cout, h: l.h, w: l.w, k: l.k, p: l.p, K });

/** MAC issue cycles per tile with balanced kernels of n entries. */
export function macDepth(l: ConvLayer, c: ArchConfig): number {
  return Math.ceil(l.cin / c.pIn) * Math.max(1, Math.ceil(l.cout / c.pOut) * c.n);
}

/** Cycles per tile of every unit, and the tile time (steady state). */
export function tileRates(l: ConvLayer, c: ArchConfig): TileRates {
  const g = geometry(l, c.K);
  const shape = shapeOf(l, c.K);
  const pe = peArrayRatesOf({
    K: c.K, cin: l.cin, cout: l.cout, pOut: c.pOut, pIn: c.pIn, fftLanes: c.fftLanes, ifftLanes: c.ifftLanes,
    xWords: c.xWords ?? c.K, drainWords: c.drainWords ?? 1, depth: macDepth(l, c),
  });
  const rates: Record<UnitName, number> = {
    tiler: inputTilerRowsPerTile({ layer: shape, lanes: c.fftLanes, lane: 0 }),
    fft: Math.ceil(l.cin / c.fftLanes) * fft2dForwardCyclesPerTile(c.K, g.T),
    peLoad: pe.load,
    mac: pe.mac,
    drain: pe.drain,
    lane: pe.lane,
    pair: pe.pair,
    xPair: pe.xPair,
    ifft: Math.ceil(l.cout / c.ifftLanes) * ifft2dCyclesPerBlock(c.K),
    oaaEmit: overlapAddEmitCyclesPerBand({ layer: shape, lanes: c.ifftLanes, lane: 0 }) / g.tilesX,
  };
  let bound: UnitName = "mac";
  for (const k of Object.keys(rates) as UnitName[]) if (rates[k] > rates[bound]) bound = k;
  return { ...rates, tile: rates[bound], bound };
}

/** Load beats of one input map (all lanes, one beat per clock): Cin x H x ceil(W / loadWords). */
export function loadBeats(l: ConvLayer, c: ArchConfig): number {
  return l.cin * l.h * Math.ceil(l.w / (c.loadWords ?? 1));
}

export interface PipelineCycles {
  readonly rates: TileRates;
  readonly tiles: number;
  /** cycles per image in steady state: max(tiles x tile, load beats) */
  readonly image: number;
  /** from the first input beat to the first MAC issue of the first image (its whole load, then fillAfterLoad) */
  readonly fill: number;
  /** the part of the fill after the first image's load */
  readonly fillAfterLoad: number;
  /** from the last image's last tile slot to its last output word */
  readonly tail: number;
  readonly images: number;
  /** fill + (images - 1) x image + tiles x tile + tail */
  readonly cycles: number;
}

/**
 * Cycles of a batch of `images` maps streamed back to back through the layer, first input beat
 * to last output word.
 *   fill: the first image loads whole (its load beats), the tiler starts INPUT_TILER_LATENCY
 *         later, and the first round of channels passes the FFT (its rows, latency and columns)
 *         and the X load before the first MAC issue;
 *   tail: after the last tile's last issue, its MACs land (PE_MAC_LATENCY + 1), the drain and the
 *         IFFT lane move its blocks out (the slower of drain + DRAIN_PIPELINE + a block, and the
 *         lane's blocks), then the last block's IFFT (latency + row beats), the overlap-add
 *         latency and the emission of the last band.
 */
export function batchCycles(l: ConvLayer, c: ArchConfig, images: number): PipelineCycles {
  const r = tileRates(l, c);
  const g = geometry(l, c.K);
  const half = halfCols(c.K);
  const shape = shapeOf(l, c.K);
  const beats = loadBeats(l, c);
  const image = Math.max(g.tiles * r.tile, beats);
  const firstRound = Math.ceil(Math.min(c.pIn, l.cin) / c.fftLanes);
  const xBeats = c.K / (c.xWords ?? c.K);
  const fillAfterLoad = INPUT_TILER_LATENCY + firstRound * fft2dForwardCyclesPerTile(c.K, g.T) + fft2dForwardLatency(c.K) + half * xBeats + 2;
  const lastBand = overlapAddBandCycles({ layer: shape, lanes: c.ifftLanes, lane: 0 }, g.tilesY - 1);
  const afterIfft = ifft2dLatency(c.K) + ifft2dRowBeatsPerBlock(c.K) + OVERLAP_ADD_LATENCY + lastBand;
  // Upstream of the drain (MAC issue, loads, transforms in) setting the pace, the last tile's
  // blocks leave after its last MAC; downstream (drain, IFFT lane, overlap-add) setting the pace,
  // the first tile's MACs run ahead of it once, and the pace ends with the last block.
  const downstream = r.bound === "drain" || r.bound === "lane" || r.bound === "ifft" || r.bound === "oaaEmit" || r.bound === "pair";
  const tail = downstream
    ? DRAIN_PIPELINE + half + afterIfft
    : PE_MAC_LATENCY + 1 + Math.max(r.drain + DRAIN_PIPELINE + half, r.lane) + afterIfft;
  const lead = downstream ? r.mac + PE_MAC_LATENCY + 1 : 0;
  // the first image computes after its load; each further image takes `image` (its load overlaps
  // the previous image's tiles, or sets the pace when it is the slower)
  const fill = beats + fillAfterLoad + lead;
  const cycles = fill + (images - 1) * image + g.tiles * r.tile + tail;
  return { rates: r, tiles: g.tiles, image, fill, fillAfterLoad, tail, images, cycles };
}

/** One image through the layer (batch of 1). */
export function pipelineCycles(l: ConvLayer, c: ArchConfig): PipelineCycles {
  return batchCycles(l, c, 1);
}

/** Useful complex MACs per input map: tiles * Cin * Cout * n (SPEC2.md section 5). */
export function usefulMacs(l: ConvLayer, K: number, n: number): number {
  return geometry(l, K).tiles * l.cin * l.cout * n;
}

/** Equivalent (spatial) operations of the layer: 2 * Ho * Wo * k^2 * Cin * Cout. */
export function spatialOps(l: ConvLayer): number {
  const ho = l.h + 2 * l.p - l.k + 1;
  const wo = l.w + 2 * l.p - l.k + 1;
  return 2 * ho * wo * l.k * l.k * l.cin * l.cout;
}

/** Bits of one stored weight entry off chip: index + re + im (weightBits each). */
export function weightEntryBits(K: number, weightBits = 16): number {
  return indexWidths(K).indexBits + 2 * weightBits;
}

// ---------------------------------------------------------------------------------------------
// System model: DRAM traffic, batch, clock

export interface SystemParams {
  /** clock in Hz (200 MHz default; no place-and-route timing exists) */
  readonly clockHz: number;
  /** DRAM bandwidth in bytes/s (12.8 GB/s default) */
  readonly dramBytesPerS: number;
  /** images per batch (weights are fetched once per batch and layer) */
  readonly batch: number;
  /** activation word bits off chip */
  readonly actBits: number;
  /** weight capacity on chip, in stored entries per PE (double-buffered: half is filled while half is used) */
  readonly weightWordsPerPe: number;
  /** on-chip input-map storage in words: when the batch's input maps fit, chunks re-read them from chip, not DRAM */
  readonly inputBufferWords: number;
  /** bits of a weight entry's re and im words off chip (16 default) */
  readonly weightBits: number;
}

export const DEFAULT_SYSTEM: SystemParams = { clockHz: 200e6, dramBytesPerS: 12.8e9, batch: 1, actBits: 16, weightWordsPerPe: 512, inputBufferWords: 0, weightBits: 16 };

export interface LayerPerf {
  readonly layer: ConvLayer;
  readonly rates: TileRates;
  readonly tiles: number;
  /** passes: the output channels are processed in this many chunks (accumulator regions, weight buffer) */
  readonly chunks: number;
  /** true when one output channel's kernels do not fit a PE's weight buffer: weights stream from DRAM for every tile */
  readonly weightsStreamed: boolean;
  /** compute cycles per batch */
  readonly computeCycles: number;
  /** off-chip bytes per batch: input (once per chunk), output, weights (once) */
  readonly bytes: { readonly input: number; readonly output: number; readonly weights: number; readonly total: number };
  /** compute and DRAM seconds per batch */
  readonly computeS: number;
  readonly memoryS: number;
  readonly batch: number;
  /** max(compute, memory) per batch divided by batch: seconds per image */
  readonly timePerImageS: number;
  readonly bound: "compute" | "bandwidth";
  readonly ops: number;
  /** equivalent operations per second (ops per image / time per image) */
  readonly eqOpsPerS: number;
  readonly macs: number;
  /** useful MACs / (P * compute cycles) */
  readonly peUtilisation: number;
}

/**
 * One layer of a network on a fixed configuration. The layer's ROM image (PE list) is
 * ceil(Cin/pIn) * ceil(Cout/pOut) * n words per PE; when that exceeds the half of the
 * per-PE weight buffer, or ceil(Cout/pOut) exceeds the PE's accumulator regions, the output
 * channels are processed in `chunks` groups of pOut * (regions) channels, each
 * re-reading and re-transforming the input map (tiler, FFT and PE input work repeat per
 * chunk; the input comes again from DRAM unless the batch's input maps fit in the on-chip
 * input buffer) while the weights are read once per batch.
 * Compute and memory overlap (double buffering assumed), so a batch takes their max.
 */
export function layerPerf(l: ConvLayer, c: ArchConfig, sys: SystemParams = DEFAULT_SYSTEM): LayerPerf {
  const g = geometry(l, c.K);
  const rounds = Math.ceil(l.cin / c.pIn);
  const capacity = Math.max(1, Math.floor(sys.weightWordsPerPe / 2));
  // output channels per PE and pass: limited by the accumulator regions and the weight buffer
  const byWeights = Math.floor(capacity / (rounds * c.n));
  const streamed = byWeights < 1; // one output channel's list does not fit: weights stream per tile
  const oPass = Math.min(Math.ceil(l.cout / c.pOut), c.accRegions ?? Infinity, streamed ? Infinity : byWeights);
  const coutChunk = Math.min(l.cout, oPass * c.pOut);
  const chunks = Math.ceil(l.cout / coutChunk);
  const sub: ConvLayer = { ...l, cout: coutChunk };
  const pc = pipelineCycles(sub, c);
  // maps stream from DRAM (the bytes below), so the host-port load of the fill does not count
  const computeCycles = chunks * (sys.batch * g.tiles * pc.rates.tile + pc.fillAfterLoad + pc.tail);
  const actB = sys.actBits / 8;
  const mapWords = l.cin * l.h * l.w;
  const reread = sys.batch * mapWords <= sys.inputBufferWords ? 1 : chunks;
  const input = sys.batch * reread * mapWords * actB;
  const output = sys.batch * l.cout * g.ho * g.wo * actB;
  const weights = ((streamed ? sys.batch * g.tiles : 1) * l.cin * l.cout * c.n * weightEntryBits(c.K, sys.weightBits)) / 8;
  const total = input + output + weights;
  const computeS = computeCycles / sys.clockHz;
  const memoryS = total / sys.dramBytesPerS;
  const batchS = Math.max(computeS, memoryS);
  const ops = spatialOps(l);
  const macs = usefulMacs(l, c.K, c.n);
  return {
    layer: l,
    rates: pc.rates,
    tiles: g.tiles,
    chunks,
    weightsStreamed: streamed,
    computeCycles,
    bytes: { input, output, weights, total },
    computeS,
    memoryS,
    batch: sys.batch,
    timePerImageS: batchS / sys.batch,
    bound: computeS >= memoryS ? "compute" : "bandwidth",
    ops,
    eqOpsPerS: ops / (batchS / sys.batch),
    macs,
    peUtilisation: (sys.batch * macs) / (c.pOut * c.pIn * computeCycles),
  };
}

export interface NetworkPerf {
  readonly layers: readonly LayerPerf[];
  readonly timePerImageS: number;
  readonly ops: number;
  readonly eqOpsPerS: number;
  readonly macs: number;
}

export function networkPerf(layers: readonly ConvLayer[], c: ArchConfig, sys: SystemParams = DEFAULT_SYSTEM): NetworkPerf {
  const per = layers.map((l) => layerPerf(l, c, sys));
  const t = per.reduce((s, x) => s + x.timePerImageS, 0);
  const ops = per.reduce((s, x) => s + x.ops, 0);
  return { layers: per, timePerImageS: t, ops, eqOpsPerS: ops / t, macs: per.reduce((s, x) => s + x.macs, 0) };
}
