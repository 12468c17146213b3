/**
 * The layer command of `EngineCore` (engine-core.ts): the build's parameters, the command bundle
 * (`engineCommandType`) and its host side (`engineCommand`), which derives every value the core
 * does not divide or multiply for (tile counts, segments, the pacing figures) from a layer, its
 * memory addresses and its weight image's row count.
 *
 * Fields (byte addresses are multiples of the memory beat):
 *   input map:  inAddr, cin, h, w, inPitch (words between rows; w <= inPitch < w + words per
 *               beat), pad (the padding p; k is the build's)
 *   weights:    wAddr, wRows (rows of the image, `weightImage`), tiles (tilesX tilesY of the layer)
 *   biases:     biasAddr: cout beats, bias o in the low actBits bits of beat o
 *   output map: cout, oTilesX, oTilesY, segments (BandOverlapAdd's command), wo, ho (before
 *               pooling), relu, pool, outAddr, outPitch (a multiple of K, at least the written
 *               width: wo, or floor(wo / 2) pooled), firstRows (written rows of the first band
 *               that has output rows: T - ((k - 1) mod T), halved pooled; MapWriter's)
 *   shift:      macShift (builds with a run-time range `macShifts` only): the layer's
 *               inFrac + weightFrac - 2 log2 K - outFrac, so layers of other fraction bits
 *   pacing:     bandBlocks = oTilesX cout (IFFT blocks of a band), bandGap (clocks the next
 *               band's first block waits after a band's last, at least the band's emission plus
 *               the latencies), bandGroups (output groups of a band, at most, for the FIFO room)
 *   batch:      images, inStride, outStride (builds with maxBatch > 1 only): the command runs
 *               `images` images with one fetch of its weights, image i's input map at inAddr +
 *               i inStride and its output at outAddr + i outStride (bytes); `tiles` counts the
 *               tiles of every image (tilesX tilesY images), the weight bank's lifetime
 */
import { Bool, Bundle, SInt, UInt } from "../../core";
import type { BurstPortParams } from "../../lib";
import type { ConvShape } from "../../../spectral/conv";
import { macShift, type FixedLayer } from "../../../spectral/fixed";
import { bitsFor, isIntIn, signedBitsFor } from "../generator-params";
import { BAND_OVERLAP_ADD_LATENCY, overlapAddCommand, overlapAddCommandType, type BandOverlapAddParams } from "./band-overlap-add";

export interface EngineCoreParams {
  /** the build's template layer: its K, k and formats (every layer run shares them); its weights are unused */
  readonly layer: FixedLayer;
  readonly pOut: number;
  readonly pIn: number;
  readonly maxCin: number;
  readonly maxCout: number;
  readonly maxHeight: number;
  readonly maxWidth: number;
  /** rows of a weight buffer bank (the deepest schedule) */
  readonly maxDepth: number;
  /** bits of a layer's tile count */
  readonly tileBits: number;
  readonly port: BurstPortParams;
  /** input words per load beat, 1..T; default min(T, words per memory beat) */
  readonly loadWords?: number;
  /** words of a band buffer of the input tiler (BandTiler capacity; a layer needs cin T ceil(w / T)); default maxCin T ceil(maxWidth / T) */
  readonly bandCapacity?: number;
  /** the array's macShift chosen per layer in min..max (a command field); default the template's only */
  readonly macShifts?: { readonly min: number; readonly max: number };
  /** most images a command runs on one fetch of its weights (the batch fields); default 1 */
  readonly maxBatch?: number;
}

/** Derived sizes of a build. */
export function engineSizes(p: EngineCoreParams) {
  const { K, k } = p.layer;
  const T = K - k + 1;
  const wordsPerBeat = (8 * p.port.dataBytes) / 16;
  const loadWords = p.loadWords ?? Math.min(T, wordsPerBeat);
  const oaa: BandOverlapAddParams = { K, k, ifftBits: p.layer.formats.ifftBits, actBits: p.layer.formats.actBits, maxChannels: p.maxCout, maxWidth: p.maxWidth, maxHeight: p.maxHeight };
  const bandGroups = p.maxCout * T * Math.ceil(p.maxWidth / K);
  const groupDepth = 2 ** Math.ceil(Math.log2(Math.max(2, bandGroups)));
  const maxTilesX = Math.ceil((p.maxWidth + k - 1) / T);
  const bandCapacity = p.bandCapacity ?? p.maxCin * T * Math.ceil(p.maxWidth / T);
  return { K, k, T, wordsPerBeat, loadWords, oaa, bandGroups, groupDepth, maxTilesX, maxPitchOut: Math.ceil(p.maxWidth / K) * K, bandCapacity };
}

/** Clocks the next band waits after a band's last block beyond the band's emission (the overlap-add's latency, PoolStage's register, margin). */
export const BAND_GAP_MARGIN = BAND_OVERLAP_ADD_LATENCY + 4;

export function engineCommandType(p: EngineCoreParams) {
  const s = engineSizes(p);
  const a = UInt(p.port.addrBits);
  return Bundle({
    inAddr: a,
    cin: UInt(bitsFor(p.maxCin)),
    h: UInt(bitsFor(p.maxHeight)),
    w: UInt(bitsFor(p.maxWidth)),
    inPitch: UInt(bitsFor(p.maxWidth + s.wordsPerBeat - 1)),
    pad: UInt(bitsFor(s.T - 1)),
    wAddr: UInt(p.port.addrBits),
    wRows: UInt(bitsFor(p.maxDepth)),
    tiles: UInt(p.tileBits),
    biasAddr: UInt(p.port.addrBits),
    ...overlapAddFields(s.oaa),
    outAddr: UInt(p.port.addrBits),
    outPitch: UInt(bitsFor(s.maxPitchOut)),
    firstRows: UInt(bitsFor(p.maxHeight)),
    bandBlocks: UInt(bitsFor(s.maxTilesX * p.maxCout)),
    bandGap: UInt(bitsFor(s.bandGroups + BAND_GAP_MARGIN)),
    bandGroups: UInt(bitsFor(s.groupDepth)),
    ...(p.macShifts ? { macShift: SInt(signedBitsFor(p.macShifts.min, p.macShifts.max)) } : {}),
    ...(batched(p) ? { images: UInt(bitsFor(p.maxBatch!)), inStride: a, outStride: a } : {}),
  });
}

/** Does the build take batches (the batch fields)? */
export function batched(p: EngineCoreParams): boolean {
  return (p.maxBatch ?? 1) > 1;
}

/** BandOverlapAdd's command fields, `channels` renamed `cout`. */
function overlapAddFields(p: BandOverlapAddParams) {
  const t = overlapAddCommandType(p);
  const f = t.fields;
  return { cout: f.channels, oTilesX: f.tilesX, oTilesY: f.tilesY, segments: f.segments, wo: f.wo, ho: f.ho, relu: Bool(), pool: Bool() };
}

export const ENGINE_COMMAND_FIELDS = [
  "inAddr", "cin", "h", "w", "inPitch", "pad", "wAddr", "wRows", "tiles", "biasAddr", "cout", "oTilesX", "oTilesY", "segments",
  "wo", "ho", "relu", "pool", "outAddr", "outPitch", "firstRows", "bandBlocks", "bandGap", "bandGroups",
] as const;

const BATCH_FIELDS = ["images", "inStride", "outStride"] as const;

/** The command's fields in a build: ENGINE_COMMAND_FIELDS, macShift with a run-time range, the batch fields with maxBatch > 1. */
export function engineCommandFields(p: EngineCoreParams): readonly EngineCommandField[] {
  return [...ENGINE_COMMAND_FIELDS, ...(p.macShifts ? (["macShift"] as const) : []), ...(batched(p) ? BATCH_FIELDS : [])];
}

export type EngineCommandField = (typeof ENGINE_COMMAND_FIELDS)[number] | "macShift" | (typeof BATCH_FIELDS)[number];

export type EngineCommand = Record<(typeof ENGINE_COMMAND_FIELDS)[number], number> & {
  readonly macShift?: number;
  readonly images?: number;
  readonly inStride?: number;
  readonly outStride?: number;
};

/** A layer's shape as the host knows it (the operator's ConvShape, the FFT size the build's; k must be the build's). */
export interface EngineLayer extends Omit<ConvShape, "K"> {
  readonly relu: boolean;
  readonly pool: boolean;
  /** the layer's macShift (spectral/fixed macShift of its formats); default the template layer's */
  readonly macShift?: number;
  /** images the command runs (1..maxBatch), at the addresses' strides; default 1 */
  readonly images?: number;
}

export interface EngineAddresses {
  readonly input: number;
  readonly inPitch: number;
  readonly output: number;
  readonly weights: number;
  readonly weightRows: number;
  readonly bias: number;
  /** bytes from one image's input map to the next's, and output map (a batch of more than one image) */
  readonly inStride?: number;
  readonly outStride?: number;
}

/** Words between output rows: the written width (wo, halved when pooled) rounded up to K. */
export function outputPitch(p: EngineCoreParams, wo: number, pool: boolean): number {
  return writtenPitch(p.layer.K, pool ? Math.floor(wo / 2) : wo);
}

/** Words between rows of a written map `w` words wide: w rounded up to K (at least K). */
export function writtenPitch(K: number, w: number): number {
  return Math.max(1, Math.ceil(w / K)) * K;
}

/** The command of one layer; an Error names every field out of the build's limits with its value. */
export function engineCommand(p: EngineCoreParams, l: EngineLayer, at: EngineAddresses): EngineCommand {
  const s = engineSizes(p);
  const wo = l.w + 2 * l.p - l.k + 1;
  const ho = l.h + 2 * l.p - l.k + 1;
  // the golden model's tiling (spectral/conv makePlan): tiles of T over the padded map
  const tilesX = Math.ceil((l.w + 2 * l.p) / s.T);
  const tilesY = Math.ceil((l.h + 2 * l.p) / s.T);
  const beat = p.port.dataBytes;
  const templateShift = macShift(p.layer.K, p.layer.formats);
  const shift = l.macShift ?? templateShift;
  const shifts = p.macShifts ?? { min: templateShift, max: templateShift };
  const images = l.images ?? 1;
  const strides = images > 1 ? ([["inStride", at.inStride], ["outStride", at.outStride]] as const) : [];
  const bad = [
    ...(isIntIn(images, 1, p.maxBatch ?? 1) ? [] : [`images = ${images} (1..maxBatch = ${p.maxBatch ?? 1})`]),
    ...([["cin", l.cin, p.maxCin], ["cout", l.cout, p.maxCout], ["h", l.h, p.maxHeight], ["w", l.w, p.maxWidth], ["weightRows", at.weightRows, p.maxDepth], ["tiles", tilesX * tilesY * images, 2 ** p.tileBits - 1]] as const)
      .filter(([, v, max]) => !isIntIn(v, 1, max))
      .map(([f, v, max]) => `${f} = ${v} (1..${max})`),
    ...(l.k !== s.k ? [`k = ${l.k} (the build's k is ${s.k})`] : []),
    ...(!isIntIn(l.p, 0, s.T - 1) ? [`p = ${l.p} (0..T - 1 = ${s.T - 1})`] : []),
    ...(wo > p.maxWidth || ho > p.maxHeight ? [`output ${ho} x ${wo} (at most maxHeight x maxWidth = ${p.maxHeight} x ${p.maxWidth})`] : []),
    ...(!isIntIn(at.inPitch, l.w, l.w + s.wordsPerBeat - 1) ? [`inPitch = ${at.inPitch} (w..w + ${s.wordsPerBeat - 1})`] : []),
    ...(l.cin <= p.maxCin && l.w <= p.maxWidth && l.cin * s.T * Math.ceil(l.w / s.T) > s.bandCapacity ? [`a band of cin T ceil(w / T) = ${l.cin * s.T * Math.ceil(l.w / s.T)} words (the build's bandCapacity is ${s.bandCapacity})`] : []),
    ...(isIntIn(shift, shifts.min, shifts.max) ? [] : [`macShift = ${shift} (${p.macShifts ? `the build's range is ${shifts.min}..${shifts.max}` : `the build's is ${templateShift}; a build with macShifts takes others`})`]),
    ...(["input", "output", "weights", "bias"] as const).filter((f) => at[f] % beat !== 0 || at[f] < 0 || at[f] >= 2 ** p.port.addrBits).map((f) => `${f} address = ${at[f]} (a multiple of ${beat} below 2^${p.port.addrBits})`),
    ...strides.filter(([, v]) => v === undefined || v % beat !== 0 || v <= 0 || v >= 2 ** p.port.addrBits).map(([f, v]) => `${f} = ${v} (a multiple of ${beat} in 1..2^${p.port.addrBits} - 1, for ${images} images)`),
  ];
  if (bad.length > 0) throw new Error(`engine layer command: ${bad.join(", ")}`);
  const oaa = overlapAddCommand(s.oaa, { channels: l.cout, wo, ho, relu: l.relu, pool: l.pool });
  // the overlap-add's first band ends k - 1 rows short of a tile row (the rows its last tiles still add to)
  const off = (l.k - 1) % s.T;
  const firstRows = (s.T - off) / (l.pool ? 2 : 1);
  const bandGroups = l.cout * s.T * Math.ceil(wo / p.layer.K);
  return {
    inAddr: at.input, cin: l.cin, h: l.h, w: l.w, inPitch: at.inPitch, pad: l.p,
    wAddr: at.weights, wRows: at.weightRows, tiles: tilesX * tilesY * images, biasAddr: at.bias,
    cout: l.cout, oTilesX: oaa.tilesX, oTilesY: oaa.tilesY, segments: oaa.segments, wo, ho, relu: oaa.relu, pool: oaa.pool,
    outAddr: at.output, outPitch: outputPitch(p, wo, l.pool), firstRows,
    bandBlocks: oaa.tilesX * l.cout, bandGap: bandGroups + BAND_GAP_MARGIN, bandGroups,
    ...(p.macShifts ? { macShift: shift } : {}),
    ...(batched(p) ? { images, inStride: images > 1 ? at.inStride! : 0, outStride: images > 1 ? at.outStride! : 0 } : {}),
  };
}
