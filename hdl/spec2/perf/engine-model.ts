/**
 * Cycle model of the built engine (engine/engine.ts), one command (a layer, or a pass of one over
 * a group of its output channels) after another, its phases as EngineCore runs them:
 *
 *   fetch    the command list reads the command's words (one a clock) and offers it
 *   bias     latency + cout beats (one bias a beat)
 *   weights  latency + the weight image's beats, at the memory's bandwidth (the weight reader keeps
 *            four bursts in flight, so a latency of up to three bursts is hidden)
 *   map      band by band: a band's rows are read (a burst per channel; at most `outstanding`
 *            bursts in flight, each taking the latency and its beats) into the tiler at one load
 *            beat of loadWords words a clock, while the previous band is tiled and computed
 *            (tilesX tiles at the slowest unit's tile time, model.ts tileRates with one FFT and one
 *            IFFT lane), each band boundary held by the pacing rule (the next band's first block
 *            waits bandGap after the previous band's last, less what the block slots absorb);
 *            then the pipeline's fill (the first round through the FFT) and tail (the last
 *            tile's drain, IFFT and overlap-add), and the last write's latency.
 *   batch    a command of B images fetches its weights once; after an image's map is read the
 *            next image's biases are read (latency + cout beats) and its bands follow, so the
 *            images' bands run back to back (the boundary a band step whose load includes the
 *            biases) with one fill and one tail.
 *
 * After reset the PEs clear their accumulators' keep bits (pe.ts trackKeep: one word a clock,
 * ceil(maxCout / pOut) (K/2 + 1) K words) and the array issues nothing before: a command that
 * starts with `clearLeft` clocks of that sweep to go computes no earlier (it shows on the first
 * command after reset whose biases and weights load faster than the sweep).
 *
 * The phases do not overlap: the next command starts after the previous one's output is written.
 * Validated against the RTL by the network runs (engine/network-driver.ts reports both).
 */
import { makePlan } from "../../../spectral/conv";
import type { FixedLayer } from "../../../spectral/fixed";
import { batchCycles, tileRates, type ArchConfig, type ConvLayer } from "./model";
import { BAND_GAP_MARGIN } from "../engine/engine-command";

/** Clocks between an image's last map read and its successor's bias command (the core's hand-over). */
const BATCH_HANDOVER = 2;

/** Block slots of a PE-array group's buffer (PeArray's default) and so what the array computes ahead of a held band. */
const BLOCK_SLOTS = 4;

export interface EngineModelMemory {
  readonly dataBytes: number;
  readonly bytesPerCycle: number;
  readonly latency: number;
  /** read bursts the memory accepts before the first has finished (BurstMemory's, 4) */
  readonly outstanding?: number;
}

export interface EngineModelBuild {
  readonly pOut: number;
  readonly pIn: number;
  /** input words per tiler load beat */
  readonly loadWords: number;
  /** 32-bit words of a command in the list */
  readonly commandWords: number;
  /** FFT and IFFT lanes (default one each, as EngineCore has) */
  readonly fftLanes?: number;
  readonly ifftLanes?: number;
}

/** The most entries a kernel of the layer keeps (n; the model's `entriesPerKernel` derives it from a density instead). */
export function keptEntries(f: FixedLayer): number {
  return f.kernels.reduce((m, k) => Math.max(m, k.length), 0);
}

export interface CommandCycles {
  readonly fetch: number;
  readonly bias: number;
  readonly weights: number;
  readonly map: number;
  /** the part of the map phase whose band steps wait for the next band's rows from memory (the rest waits for compute) */
  readonly mapLoadBound: number;
  readonly total: number;
}

/** Clocks of one command: `f` the pass's layer (its cout the pass's), `weightBeats` its weight image's beats, `images` the batch it runs. */
export function engineCommandCycles(f: FixedLayer, pool: boolean, weightBeats: number, b: EngineModelBuild, m: EngineModelMemory, images = 1, clearLeft = 0): CommandCycles {
  const beatClocks = Math.max(1, m.dataBytes / m.bytesPerCycle);
  const outstanding = m.outstanding ?? 4;
  const fetch = b.commandWords + 1;
  const bias = m.latency + f.cout * beatClocks + 4;
  const weights = m.latency + weightBeats * beatClocks + 5;
  const q = makePlan(f);
  const T = q.T;
  const n = keptEntries(f);
  const arch: ArchConfig = { K: f.K, pOut: b.pOut, pIn: b.pIn, fftLanes: b.fftLanes ?? 1, ifftLanes: b.ifftLanes ?? 1, n, loadWords: b.loadWords };
  const conv: ConvLayer = { name: "pass", cin: f.cin, cout: f.cout, h: f.h, w: f.w, k: f.k, p: f.p };
  const rates = tileRates(conv, arch);
  const tile = rates.tile;
  const wordsPerBeat = (8 * m.dataBytes) / 16;
  const pitch = Math.ceil(f.w / wordsPerBeat) * wordsPerBeat;
  // rows of the map in band y: padded rows yT .. yT + T - 1 that are map rows
  const bandRows = (y: number): number => Math.max(0, Math.min(f.h, y * T + T - f.p) - Math.max(0, y * T - f.p));
  const load = (y: number): number => {
    const rows = bandRows(y);
    if (rows === 0) return 0;
    const burstBeats = Math.ceil((rows * pitch) / wordsPerBeat);
    const memory = Math.max(f.cin * burstBeats * beatClocks, (f.cin * (m.latency + burstBeats)) / outstanding);
    return Math.max(memory, f.cin * rows * Math.ceil(f.w / b.loadWords));
  };
  const compute = q.tilesX * tile;
  // the pacing rule: a band's first block waits bandGap clocks after the previous band's last
  // (its emission, a group a clock); the array goes on into its block slots meanwhile
  const bandGap = f.cout * T * Math.ceil(q.wo / f.K) + BAND_GAP_MARGIN;
  const slack = BLOCK_SLOTS * (f.K / 2 + 1) * f.K;
  const hold = Math.max(0, bandGap - (tile - rates.drain) - slack);
  // every band of every image in order; the first band of a later image also waits for its biases
  const imageGap = bias + BATCH_HANDOVER;
  let bands = load(0);
  let loadBound = load(0);
  for (let i = 0; i < images; i++)
    for (let y = 0; y < q.tilesY; y++) {
      const lastBand = y + 1 === q.tilesY;
      if (lastBand && i + 1 === images) bands += compute;
      else {
        const next = lastBand ? imageGap + load(0) : load(y + 1);
        bands += Math.max(compute + hold, next);
        if (next > compute + hold) loadBound += next;
      }
    }
  const pc = batchCycles(conv, arch, 1);
  // the first issue waits for the first band's load and the reset's clear sweep, whichever is later
  const cleared = Math.max(0, clearLeft - (fetch + bias + weights + m.latency + load(0)));
  const map = m.latency + bands + cleared + pc.fillAfterLoad + pc.tail + m.latency + (pool ? 2 : 0);
  return { fetch, bias, weights, map, mapLoadBound: loadBound, total: fetch + bias + weights + map };
}

export interface CommandBytes {
  /** the weight image, read once for the command's images */
  readonly weights: number;
  /** every image's biases, a beat each */
  readonly bias: number;
  /** every image's input map, each row read once (a band's rows a burst per channel) */
  readonly mapIn: number;
  /** every image's output channels of the command, a write of whole beats per channel and band */
  readonly mapOut: number;
  readonly total: number;
}

/**
 * Bytes one command moves at the memory port, as EngineCore moves them: the weight image once,
 * then per image its biases, its input map's rows (rows start on beats: the pitch is w rounded up
 * to a beat) and its output map, which MapWriter writes a run at a time (a channel's rows of one
 * band, rows `pitch` words apart, pooled when the layer pools) in whole beats, byte strobes
 * masking a partly written beat at either end. `outPitch` the written map's words between rows;
 * a command's first output channel starts on a beat (the host's passes keep them so).
 */
export function engineCommandBytes(f: FixedLayer, pool: boolean, weightBeats: number, dataBytes: number, outPitch: number, images = 1): CommandBytes {
  const wpb = (8 * dataBytes) / 16;
  const q = makePlan(f);
  const T = q.T;
  const inPitch = Math.ceil(f.w / wpb) * wpb;
  const inBeats = (f.cin * f.h * inPitch) / wpb;
  // band y completes output rows [yT - (k - 1), (y + 1) T - (k - 1)), the last band the rest
  const ho = pool ? Math.floor(q.ho / 2) : q.ho;
  let outBeats = 0;
  for (let y = 0; y < q.tilesY; y++) {
    const lo = Math.max(0, y * T - (f.k - 1));
    const hi = y + 1 === q.tilesY ? q.ho : Math.min(q.ho, (y + 1) * T - (f.k - 1));
    const [r0, r1] = pool ? [Math.floor(lo / 2), Math.min(ho, Math.floor(hi / 2))] : [lo, hi];
    if (r1 <= r0) continue;
    for (let ch = 0; ch < f.cout; ch++) {
      const start = (ch * ho + r0) * outPitch;
      const end = start + (r1 - r0) * outPitch;
      outBeats += Math.ceil(end / wpb) - Math.floor(start / wpb);
    }
  }
  const weights = weightBeats * dataBytes;
  const bias = images * f.cout * dataBytes;
  const mapIn = images * inBeats * dataBytes;
  const mapOut = images * outBeats * dataBytes;
  return { weights, bias, mapIn, mapOut, total: weights + bias + mapIn + mapOut };
}
