/**
 * Resources of an accelerator configuration, summed from Yosys measurements of its building
 * blocks (bench/results/synth-cache.json, made by bench/synth-blocks.ts) plus block-RAM estimates by
 * words for the buffers that only exist at VGG16 sizes:
 *
 *   measured (Yosys synth_xilinx, xc7):   Fft2dForward, Ifft2d, Pe (X banks and accumulators in
 *                                         LUT RAM, complex multiplier), PE-array glue per PE
 *                                         (PeArray - its PEs and ROMs, from the composition layer)
 *   linear in oLoc (two measured points): Pe at oLoc = 2 and 16, accumulators are oLoc * 2^vBits deep
 *   estimated by words, as block RAM:     weight buffer per PE, input band buffer, overlap-add buffer
 *
 * LUT sites = LUT + LUT-RAM LUTs + SRL (all take SLICE LUTs).
 */
import { halfCols, indexWidths } from "../index-decoder";
import { geometry, type ArchConfig, type ConvLayer } from "./model";
import type { CacheEntry, Resources, SynthCache } from "./synth-cache";

export interface Budget {
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bram36: number;
}

/** Virtex-7 XC7VX690T (SPEC2.md section 5). */
export const XC7VX690T: Budget = { lut: 433_200, ff: 866_400, dsp: 3600, bram36: 1470 };

export interface Usage {
  /** LUT sites (logic + LUT RAM + SRL) */
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  /** RAMB36 equivalents (RAMB18 = 1/2) */
  readonly bram36: number;
}

export interface Breakdown {
  readonly fft: Usage;
  readonly ifft: Usage;
  readonly pes: Usage;
  readonly glue: Usage;
  readonly weightBuffer: Usage;
  readonly inputBuffer: Usage;
  readonly oaaBuffer: Usage;
  readonly total: Usage;
}

export const ZERO: Usage = { lut: 0, ff: 0, dsp: 0, bram36: 0 };

export function usageOf(r: Resources): Usage {
  return { lut: r.lut + r.lutramLuts + r.srl, ff: r.ff, dsp: r.dsp, bram36: r.bram36 + r.bram18 / 2 };
}

export function add(...us: Usage[]): Usage {
  return us.reduce((a, b) => ({ lut: a.lut + b.lut, ff: a.ff + b.ff, dsp: a.dsp + b.dsp, bram36: a.bram36 + b.bram36 }), ZERO);
}

export function scale(u: Usage, f: number): Usage {
  return { lut: u.lut * f, ff: u.ff * f, dsp: u.dsp * f, bram36: u.bram36 * f };
}

export function fits(u: Usage, b: Budget = XC7VX690T): boolean {
  return u.lut <= b.lut && u.ff <= b.ff && u.dsp <= b.dsp && u.bram36 <= b.bram36;
}

function entry(cache: SynthCache, key: string): CacheEntry {
  const e = cache.entries[key];
  if (!e) throw new Error(`synthesis cache has no entry ${key}: run npx tsx bench/synth-blocks.ts --only ${key}`);
  return e;
}

/** Which K the cache can cost (all four blocks measured). */
export function measuredKs(cache: SynthCache): number[] {
  return [8, 16].filter((K) => ["fft", "ifft", "pe-lo", "pe-hi"].every((b) => cache.entries[blockKey(b, K)]));
}

function blockKey(b: string, K: number): string {
  if (b === "pe-lo") return `pe-K${K}-o2`;
  if (b === "pe-hi") return `pe-K${K}-o16`;
  return `${b}-K${K}`;
}

/** Pe resources at oLoc, linear between (and beyond) the measured oLoc = 2 and 16. */
export function peUsage(cache: SynthCache, K: number, oLoc: number): Usage {
  const lo = usageOf(entry(cache, `pe-K${K}-o2`).resources);
  const hi = usageOf(entry(cache, `pe-K${K}-o16`).resources);
  const t = (oLoc - 2) / (16 - 2);
  const f = (a: number, b: number): number => Math.max(0, a + (b - a) * t);
  return { lut: f(lo.lut, hi.lut), ff: f(lo.ff, hi.ff), dsp: Math.round(f(lo.dsp, hi.dsp)), bram36: f(lo.bram36, hi.bram36) };
}

/**
 * PE-array glue per PE (issue control, drain selection and group sums, macToIfftInput, the
 * layer's credit logic): what the whole composition layer (8 PEs) costs beyond the sum of its
 * separately synthesised parts, divided by its 8 PEs. Zero when not in the cache.
 */
export function gluePerPe(cache: SynthCache): Usage {
  const c = compositionCheck(cache);
  if (!c) return ZERO;
  const g = add(c.whole, scale(c.parts, -1));
  return { lut: Math.max(0, g.lut / 8), ff: Math.max(0, g.ff / 8), dsp: Math.max(0, g.dsp / 8), bram36: Math.max(0, g.bram36 / 8) };
}

/** RAMB36 for `words` words of `bits` bits (7-series aspect ratios 32Kx1 .. 512x72), at least `banks` RAMs. */
export function bram36For(words: number, bits: number, banks = 1): number {
  const depth = bits <= 1 ? 32768 : bits <= 2 ? 16384 : bits <= 4 ? 8192 : bits <= 9 ? 4096 : bits <= 18 ? 2048 : bits <= 36 ? 1024 : 512;
  const cols = bits <= 72 ? 1 : Math.ceil(bits / 72);
  const perBank = Math.ceil(Math.ceil(words / banks) / depth) * cols;
  return banks * perBank;
}

export interface BufferParams {
  /** RAMB36 per PE for its weight buffer (512 words of up to 72 bits each) */
  readonly weightBram36PerPe: number;
  /** activation bits */
  readonly actBits: number;
  /** RAMB36 of input buffer beyond the band buffers' need (0: bands only), 2048 words each */
  readonly inputMapBram36: number;
}

export const DEFAULT_BUFFERS: BufferParams = { weightBram36PerPe: 1, actBits: 16, inputMapBram36: 0 };

/** Input words the on-chip input buffer can hold (the band buffers or the whole map buffer). */
export function inputBufferWords(b: BufferParams): number {
  return b.inputMapBram36 * 2048;
}

/** Stored words per PE weight buffer (an entry is 1 + oBits + indexBits + 2 x 16 <= 72 bits: 512 per RAMB36). */
export function weightWordsPerPe(b: BufferParams): number {
  return 512 * b.weightBram36PerPe;
}

/**
 * Resources of a configuration able to run all `layers` (sized for the largest Cout, Cin, W).
 * Buffers (estimates by words, block RAM):
 *   input band: two bands (double-buffered) of T rows x Wp x Cin words, actBits each, T banks per FFT lane;
 *   overlap-add: Cout x 2K rows x ceil(((tilesX-1)T + K)/K) K words of ifftBits + log2(ceil(K/T)^2)
 *   bits (overlap-add.ts), K banks per IFFT lane;
 *   weights: weightBram36PerPe RAMB36 per PE.
 */
export function configUsage(cache: SynthCache, layers: readonly ConvLayer[], c: ArchConfig, buf: BufferParams = DEFAULT_BUFFERS): Breakdown {
  const P = c.pOut * c.pIn;
  const maxCout = Math.max(...layers.map((l) => l.cout));
  const oLoc = c.accRegions ?? Math.ceil(maxCout / c.pOut);
  const fft = scale(usageOf(entry(cache, `fft-K${c.K}`).resources), c.fftLanes);
  const ifft = scale(usageOf(entry(cache, `ifft-K${c.K}`).resources), c.ifftLanes);
  const pes = scale(peUsage(cache, c.K, oLoc), P);
  const glue = scale(gluePerPe(cache), P);
  const weightBuffer: Usage = { ...ZERO, bram36: P * buf.weightBram36PerPe };
  const { inWords, oaaWords, zBits, T } = bufferWords(layers, c.K);
  const inputBuffer: Usage = { ...ZERO, bram36: Math.max(bram36For(inWords, buf.actBits, T * c.fftLanes), buf.inputMapBram36) };
  const oaaBuffer: Usage = { ...ZERO, bram36: bram36For(oaaWords, zBits, c.K * c.ifftLanes) };
  void halfCols;
  void indexWidths;
  return { fft, ifft, pes, glue, weightBuffer, inputBuffer, oaaBuffer, total: add(fft, ifft, pes, glue, weightBuffer, inputBuffer, oaaBuffer) };
}

const bufferMemo = new WeakMap<readonly ConvLayer[], Map<number, { inWords: number; oaaWords: number; zBits: number; T: number }>>();

/** Largest input-band and overlap-add words over the layers for FFT size K (memoised). */
function bufferWords(layers: readonly ConvLayer[], K: number): { inWords: number; oaaWords: number; zBits: number; T: number } {
  let m = bufferMemo.get(layers);
  if (!m) bufferMemo.set(layers, (m = new Map()));
  const hit = m.get(K);
  if (hit) return hit;
  const ifftBits = 16 + 2 * Math.log2(K);
  let inWords = 0;
  let oaaWords = 0;
  let zBits = 0;
  for (const l of layers) {
    const g = geometry(l, K);
    inWords = Math.max(inWords, 2 * g.T * g.wp * l.cin);
    const segments = Math.ceil(((g.tilesX - 1) * g.T + K) / K);
    oaaWords = Math.max(oaaWords, l.cout * 2 * K * segments * K);
    zBits = Math.max(zBits, ifftBits + Math.ceil(Math.log2(Math.ceil(K / g.T) ** 2)));
  }
  const r = { inWords, oaaWords, zBits, T: K - Math.max(...layers.map((l) => l.k)) + 1 };
  m.set(K, r);
  return r;
}

/** The composition check: sum of the parts of the composition layer vs the whole Spec2Layer. */
export function compositionCheck(cache: SynthCache): { parts: Usage; whole: Usage; error: Usage; detail: Record<string, Usage> } | undefined {
  const keys = ["comp-tiler", "comp-fft", "comp-fifo", "comp-oaa"];
  const whole = cache.entries["comp-whole"];
  const pe = cache.entries["comp-pe"];
  const roms = Object.keys(cache.entries).filter((k) => k.startsWith("comp-rom-"));
  const ifft = cache.entries["comp-ifft"] ?? cache.entries["ifft-K8"];
  if (!whole || !pe || !ifft || roms.length !== 8 || keys.some((k) => !cache.entries[k])) return undefined;
  const detail: Record<string, Usage> = {};
  for (const k of keys) detail[k] = usageOf(cache.entries[k]!.resources);
  detail["comp-ifft"] = usageOf(ifft.resources);
  detail["8 x comp-pe"] = scale(usageOf(pe.resources), 8);
  detail["comp-rom-*"] = add(...roms.map((k) => usageOf(cache.entries[k]!.resources)));
  const parts = add(...Object.values(detail));
  const w = usageOf(whole.resources);
  const rel = (a: number, b: number): number => (b === 0 ? (a === 0 ? 0 : Infinity) : (a - b) / b);
  return { parts, whole: w, error: { lut: rel(parts.lut, w.lut), ff: rel(parts.ff, w.ff), dsp: rel(parts.dsp, w.dsp), bram36: rel(parts.bram36, w.bram36) }, detail };
}
