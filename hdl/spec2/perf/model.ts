/**
 * Performance model of the SPEC2 layer pipeline as built (Spec2Layer, hdl/spec2/layer.ts), per
 * SPEC2.md section 5. Every per-tile rate comes from the units' own exported functions:
 *
 *   tiler      InputTiler: one tile row (T words) per clock per input channel       Cin * T
 *   FFT        Fft2dForward: fft2dForwardCyclesPerTile(K, T) = max(T, K/2+1) per channel
 *   PE input   PeArray loader: one spectrum column per clock                         Cin * (K/2+1)
 *   PE MAC     schedule.ts depth D = ceil(Cin/pIn) * ceil(Cout/pOut) * n (balanced kernels)
 *   drain      PeArray drain: one column per clock                                   Cout * (K/2+1)
 *   IFFT       Ifft2d: ifft2dCyclesPerBlock(K) = K per output channel block          Cout * K
 *   OaA        OverlapAdd: takes one block row per clock (= the IFFT rate); emits a band of
 *              T rows * Cout * ceil(Wo/K) words per tile row, overlapped with the next tile row
 *
 * With lanes (the DSE's replicated transforms; only lanes = 1 is built): `fftLanes` tilers+FFTs
 * work on different input channels of a tile, so tiler and FFT take ceil(Cin/fftLanes) channel
 * slots, and the PE array loads min(fftLanes, pIn) channels (different pi groups) per clock;
 * `ifftLanes` IFFT + overlap-add units take different output channels, and the drain serves
 * min(ifftLanes, pOut) groups per clock. These are assumptions about a replicated design, not
 * measurements.
 *
 * A tile takes the max of the rates (all stages are double-buffered or FIFO-coupled); a layer
 * of N tiles takes fill + N * tile + tail cycles (pipelineCycles), validated against Icarus
 * runs of Spec2Layer in test/spec2/perf/model.test.ts.
 */
import { fft2dForwardCyclesPerTile, fft2dForwardLatency } from "../fft2d";
import { ifft2dCyclesPerBlock, ifft2dLatency } from "../ifft2d";
import { halfCols, halfPlaneEntries, indexWidths } from "../index-decoder";
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
  /** parallel tiler + Fft2dForward units (1 as built) */
  readonly fftLanes: number;
  /** parallel Ifft2d + OverlapAdd units (1 as built) */
  readonly ifftLanes: number;
  /** stored entries per spectral kernel (10 of 40 for K = 8 at 75% pruning) */
  readonly n: number;
  /**
   * accumulator regions per PE: output channels a PE can hold per pass (as built: ceil(Cout/pOut)
   * of the layer, the default when absent). Fewer regions mean several passes over the input.
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

export type UnitName = "tiler" | "fft" | "peInput" | "mac" | "drain" | "ifft" | "oaaEmit";

export interface TileRates {
  readonly tiler: number;
  readonly fft: number;
  readonly peInput: number;
  readonly mac: number;
  readonly drain: number;
  readonly ifft: number;
  /** overlap-add emission of a band, per tile of the band (T * Cout * ceil(Wo/K) / tilesX) */
  readonly oaaEmit: number;
  /** the max of the above */
  readonly tile: number;
  /** the unit setting the tile time */
  readonly bound: UnitName;
}

/** Cycles per tile of every unit, and the tile time (steady state). */
export function tileRates(l: ConvLayer, c: ArchConfig): TileRates {
  const g = geometry(l, c.K);
  const half = halfCols(c.K);
  const inSlots = Math.ceil(l.cin / c.fftLanes);
  const outSlots = Math.ceil(l.cout / c.ifftLanes);
  const rates: Record<UnitName, number> = {
    tiler: inSlots * g.T,
    fft: inSlots * fft2dForwardCyclesPerTile(c.K, g.T),
    peInput: Math.ceil(l.cin / Math.min(c.fftLanes, c.pIn)) * half,
    mac: Math.ceil(l.cin / c.pIn) * Math.max(1, Math.ceil(l.cout / c.pOut) * c.n),
    drain: Math.ceil(l.cout / Math.min(c.ifftLanes, c.pOut)) * half,
    ifft: outSlots * ifft2dCyclesPerBlock(c.K),
    oaaEmit: (g.T * outSlots * Math.ceil(g.wo / c.K)) / g.tilesX,
  };
  let bound: UnitName = "tiler";
  for (const k of Object.keys(rates) as UnitName[]) if (rates[k] > rates[bound]) bound = k;
  return { ...rates, tile: rates[bound], bound };
}

export interface PipelineCycles {
  readonly rates: TileRates;
  readonly tiles: number;
  /** cycles before the steady state: first channels through tiler and FFT, first MAC round */
  readonly fill: number;
  /** cycles after the last tile's bottleneck slot: MAC pipeline, drain, IFFT, last band emission */
  readonly tail: number;
  /** fill + tiles * tile + tail */
  readonly cycles: number;
}

/**
 * Cycles to run the tiles of one input map through the pipeline (excluding the input load).
 * fill: the first round of pIn input channels must pass the tiler and the FFT before the first
 * MAC (pIn channel slots, the FFT latency, the K/2+1 output columns, the FIFO and the loader);
 * tail: after the last tile's slot on the bottleneck unit, the last tile still has to finish its
 * MAC pipeline (6 cycles to the first drained column, PeArray comment), the IFFT of its last
 * output-channel block (ifft2dLatency + K rows) and the emission of the last band.
 * When the bottleneck is upstream of the PE array, the last tile's MAC phase and its whole
 * drain/IFFT are also tail.
 */
export function pipelineCycles(l: ConvLayer, c: ArchConfig): PipelineCycles {
  const r = tileRates(l, c);
  const g = geometry(l, c.K);
  const half = halfCols(c.K);
  const slot = fft2dForwardCyclesPerTile(c.K, g.T);
  const inSlots = Math.ceil(l.cin / c.fftLanes);
  const firstRound = Math.min(c.pIn, inSlots);
  // stage times per tile: input (tiler, FFT, PE loader), MAC issue, output (drain, IFFT, OaA input)
  const a = Math.max(r.tiler, r.fft, r.peInput);
  const d = r.mac;
  const b = Math.max(r.drain, r.ifft);
  const toPe = fft2dForwardLatency(c.K) + half + 2; // last row of a channel -> its last column in the X bank
  const roundLen = Math.max(1, Math.ceil(l.cout / c.pOut) * c.n); // MAC cycles of the last round
  const afterMac = 6; // last MAC issue -> first drained column (PeArray comment)
  // last block: IFFT latency and K rows, then the emission of the last band (rows outside the
  // output are skipped in one cycle each, inside rows take ceil(Wo/K) cycles per channel)
  const lastBandRows = Math.min(g.T, Math.max(0, g.ho + l.k - 1 - (g.tilesY - 1) * g.T));
  const emit = Math.ceil(l.cout / c.ifftLanes) * (lastBandRows * Math.ceil(g.wo / c.K) + (g.T - lastBandRows)) + 2;
  const end = ifft2dLatency(c.K) + c.K + emit;
  let fill: number;
  let tail: number;
  let steady: number;
  if (a >= d && a >= b && a >= r.oaaEmit) {
    // input-bound: the last tile's last channel enters after N slots of the input stage
    fill = toPe;
    steady = g.tiles * a;
    tail = roundLen + afterMac + b + end;
  } else if (d >= b && d >= r.oaaEmit) {
    // MAC-bound: the first round must be loaded before the first MAC
    fill = firstRound * slot + toPe;
    steady = g.tiles * d;
    tail = afterMac + b + end;
  } else {
    // output-bound (drain, IFFT or emission): the first tile's MACs come first
    fill = firstRound * slot + toPe + Math.max(d, (inSlots - firstRound) * slot + roundLen) + afterMac;
    steady = g.tiles * Math.max(b, r.oaaEmit);
    tail = end;
  }
  return { rates: r, tiles: g.tiles, fill, tail, cycles: fill + steady + tail };
}

/** Cycles of one whole Spec2Layer run as sim/layer-driver.ts counts them: serial load of the input map, then the pipeline. */
export function spec2LayerCycles(l: ConvLayer, c: ArchConfig): { load: number; pipeline: PipelineCycles; cycles: number } {
  const load = l.cin * l.h * l.w + 1;
  const pipeline = pipelineCycles(l, c);
  return { load, pipeline, cycles: load + pipeline.cycles };
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

/** Bits of one stored weight entry off chip: index + re + im (16-bit weights). */
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
}

export const DEFAULT_SYSTEM: SystemParams = { clockHz: 200e6, dramBytesPerS: 12.8e9, batch: 1, actBits: 16, weightWordsPerPe: 512, inputBufferWords: 0 };

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
  const computeCycles = chunks * (sys.batch * g.tiles * pc.rates.tile + pc.fill + pc.tail);
  const actB = sys.actBits / 8;
  const mapWords = l.cin * l.h * l.w;
  const reread = sys.batch * mapWords <= sys.inputBufferWords ? 1 : chunks;
  const input = sys.batch * reread * mapWords * actB;
  const output = sys.batch * l.cout * g.ho * g.wo * actB;
  const weights = ((streamed ? sys.batch * g.tiles : 1) * l.cin * l.cout * c.n * weightEntryBits(c.K)) / 8;
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
