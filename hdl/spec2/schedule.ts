/**
 * The TypeScript side of the SPEC2 PE array: which PE does which complex MAC when, the contents
 * of every kernel ROM, and which accumulator words each PE's drain keeps (SPEC2.md sections
 * 3-5). Pure TypeScript, no hardware.
 *
 * PE (po, pi), po = 0..pOut-1, pi = 0..pIn-1, handles the output channels o = po + m*pOut
 * (m = 0..oLoc-1, "o_local" m) and the input channels i = pi + r*pIn ("round" r = 0..R-1).
 * All PEs run in lock step on one ROM address: the tile's schedule is R rounds; in round r,
 * PE (po, pi) works on input channel i = r*pIn + pi, and its ROM holds, for m = 0..oLoc-1,
 * the stored entries of kernel (o = po + m*pOut, i). A round is as long as its longest PE list
 * (at least 1); shorter lists, missing channels (i >= Cin) and missing output channels
 * (o >= Cout) are padded with no-op words (useful = 0). The control ROM marks each round's
 * and the tile's last address.
 *
 * Read-modify-write hazards: the PE's accumulator pipeline needs two MACs into one word
 * (m, index) issued at least `rmwDistance` (pe.ts ACC_RMW_DISTANCE = 3) cycles apart. The n
 * entries of a kernel hit distinct words and consecutive kernels of one PE differ in m, so
 * only a round boundary with one local output channel can repeat a word; there, the next
 * kernel's entries are reordered (their sum does not depend on the order) so that its first
 * entries avoid the last words issued, and where no order can (a kernel of fewer entries than
 * the distance), no-op bubbles are inserted. `reorder: false` keeps the stored order (a
 * deliberately broken schedule for the tests of the hazard check).
 *
 * First touch: the first MAC of a tile into a word is marked `first`, so the PE overwrites
 * instead of adding and no accumulator is ever cleared; `drainKeep` marks, per drain address,
 * the words the PE touched in a tile (the others hold an older tile's sums and are masked).
 *
 * With every kernel holding n entries and no bubbles, a round is oLoc*n long, the tile
 * D = R*oLoc*n cycles, against the ideal Cin*Cout*n/P.
 */
import { createHash } from "node:crypto";
import { decodeIndex, halfCols, halfPlaneEntries, indexWidths } from "./index-decoder";
import { ACC_RMW_DISTANCE, accDepth, accLocation, oLocalBits } from "./pe";
import type { FixedLayer, SparseEntry } from "../../spectral/fixed/layer";

/** One kernel ROM word. */
export interface RomWord {
  /** false for padding (no MAC) */
  readonly useful: boolean;
  /** the tile's first MAC of this PE into accumulator word (oLocal, index) */
  readonly first: boolean;
  /** local output channel m (o = po + m*pOut) */
  readonly oLocal: number;
  readonly index: number;
  readonly re: number;
  readonly im: number;
  /** the output and input channel of the MAC (-1 for padding), for tests and reports */
  readonly o: number;
  readonly i: number;
}

export interface CtlWord {
  readonly roundLast: boolean;
  readonly tileLast: boolean;
}

export interface ScheduleOptions {
  /** accumulator words drained per clock (pe.ts drainWords), default 1 */
  readonly drainWords?: number;
  /** minimum issue distance of two MACs into one accumulator word, default ACC_RMW_DISTANCE */
  readonly rmwDistance?: number;
  /** reorder kernels and insert bubbles to respect rmwDistance (default true) */
  readonly reorder?: boolean;
}

export interface Schedule {
  readonly K: number;
  readonly cin: number;
  readonly cout: number;
  readonly pOut: number;
  readonly pIn: number;
  /** P = pOut * pIn */
  readonly P: number;
  /** K/2+1 columns, L = K*(K/2+1) half-plane entries */
  readonly half: number;
  readonly L: number;
  /** output channels per PE: ceil(Cout/pOut) */
  readonly oLoc: number;
  /** rounds per tile: ceil(Cin/pIn) */
  readonly rounds: number;
  /** length of each round (cycles of MAC issue) */
  readonly roundLen: readonly number[];
  /** D = sum of roundLen: MAC-issue cycles per tile = ROM depth */
  readonly depth: number;
  /** no-op words inserted for read-modify-write distance (over all PEs' lists, before padding) */
  readonly bubbles: number;
  /** rom[po][pi][a], a = 0..depth-1 */
  readonly rom: readonly (readonly (readonly RomWord[])[])[];
  /** ctl[a]: round / tile boundaries */
  readonly ctl: readonly CtlWord[];
  /** accumulator words drained per clock */
  readonly drainWords: number;
  /** drain addresses per bank: accDepth(K, drainWords, oLoc) */
  readonly drainDepth: number;
  /** drainKeep[po][pi][a]: bit q set when the PE touched word q of drain address a in a tile */
  readonly drainKeep: readonly (readonly (readonly number[])[])[];
  /** useful complex MACs per tile = sum of kernel lengths */
  readonly macsPerTile: number;
  /** the largest number of stored entries hitting one accumulator (o, index) over a whole tile */
  readonly maxHits: number;
  readonly rmwDistance: number;
  /** widths */
  readonly xBits: number;
  readonly weightBits: number;
  readonly indexBits: number;
  readonly uBits: number;
  readonly vBits: number;
  readonly oBits: number;
  /** exact accumulator width (re and im each), see accumulatorBits() */
  readonly accBits: number;
}

/**
 * Accumulator width that cannot overflow: each complex product part is at most 2^(xBits+wBits-2)
 * + 2^(xBits+wBits-2) = 2^(xBits+wBits-1) in magnitude (e.g. 2^31 for 16 x 16; this bound is
 * reached by the imaginary part of (-2^15 - j 2^15)^2), so a sum of M such terms lies in
 * [-M*2^(xBits+wBits-1), M*2^(xBits+wBits-1)], which fits xBits+wBits+1+floor(log2 M) bits.
 * The partial sums of the PE array (per PE and per group) are sums of subsets of the same terms.
 */
export function accumulatorBits(xBits: number, weightBits: number, maxHits: number): number {
  return xBits + weightBits + 1 + Math.floor(Math.log2(Math.max(1, maxHits)));
}

const NOOP: RomWord = { useful: false, first: false, oLocal: 0, index: 0, re: 0, im: 0, o: -1, i: -1 };

function checkLayer(layer: FixedLayer, pOut: number, pIn: number): void {
  const { cin, cout, K } = layer;
  for (const [name, v] of [["pOut", pOut], ["pIn", pIn], ["cin", cin], ["cout", cout]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`PE schedule: ${name} must be a positive integer, got ${v}`);
  }
  if (layer.kernels.length !== cin * cout) throw new RangeError(`PE schedule: expected ${cin * cout} kernels, got ${layer.kernels.length}`);
  const L = halfPlaneEntries(K);
  const lim = 2 ** (layer.formats.weightBits - 1);
  layer.kernels.forEach((ks, q) => {
    for (const e of ks) {
      if (!Number.isInteger(e.index) || e.index < 0 || e.index >= L) throw new RangeError(`PE schedule: kernel ${q} index ${e.index} outside 0..${L - 1}`);
      if (!(e.re >= -lim && e.re < lim && e.im >= -lim && e.im < lim)) throw new RangeError(`PE schedule: kernel ${q} value (${e.re}, ${e.im}) not ${layer.formats.weightBits}-bit`);
    }
  });
}

/** Accumulator word key of a ROM word (one bank per tile, so the key is (m, index)). */
const wordKey = (w: RomWord): number => w.oLocal * 4096 + w.index;

/**
 * Appends the entries of one kernel to a PE's issue list, reordered so that no word repeats
 * within `distance` positions of the list so far; a no-op bubble where no entry fits.
 */
function appendKernel(list: RomWord[], entries: readonly RomWord[], distance: number, reorder: boolean): number {
  if (!reorder || distance <= 1) {
    list.push(...entries);
    return 0;
  }
  const left = [...entries];
  let bubbles = 0;
  while (left.length > 0) {
    const recent = new Set(list.slice(-(distance - 1)).filter((w) => w.useful).map(wordKey));
    const k = left.findIndex((w) => !recent.has(wordKey(w)));
    if (k < 0) {
      list.push(NOOP);
      bubbles++;
    } else list.push(left.splice(k, 1)[0]!);
  }
  return bubbles;
}

/** Marks the first MAC of each word in a tile's list. */
function markFirst(list: readonly RomWord[]): RomWord[] {
  const seen = new Set<number>();
  return list.map((w) => {
    if (!w.useful || seen.has(wordKey(w))) return w;
    seen.add(wordKey(w));
    return { ...w, first: true };
  });
}

/** drainKeep of one PE: per drain address, a bit per drained word the PE's list touches. */
function keepMask(list: readonly RomWord[], K: number, drainWords: number, depth: number): number[] {
  const keep = new Array<number>(depth).fill(0);
  for (const w of list) {
    if (!w.useful) continue;
    const { u, v } = decodeIndex(K, w.index);
    const loc = accLocation(K, drainWords, w.oLocal, u, v);
    keep[loc.addr] = keep[loc.addr]! | (1 << loc.mem);
  }
  return keep;
}

export function buildSchedule(layer: FixedLayer, pOut: number, pIn: number, opts: ScheduleOptions = {}): Schedule {
  checkLayer(layer, pOut, pIn);
  const { K, cin, cout } = layer;
  const distance = opts.rmwDistance ?? ACC_RMW_DISTANCE;
  const drainWords = opts.drainWords ?? 1;
  const { indexBits, uBits, vBits } = indexWidths(K);
  const L = halfPlaneEntries(K);
  const f = layer.formats;
  const oLoc = Math.ceil(cout / pOut);
  const rounds = Math.ceil(cin / pIn);
  const hits = new Map<number, number>();
  let macsPerTile = 0;
  layer.kernels.forEach((ks, q) => {
    const o = Math.floor(q / cin);
    for (const e of ks) hits.set(o * L + e.index, (hits.get(o * L + e.index) ?? 0) + 1);
    macsPerTile += ks.length;
  });
  const lists: RomWord[][][] = Array.from({ length: pOut }, () => Array.from({ length: pIn }, () => [] as RomWord[]));
  const ctl: CtlWord[] = [];
  const roundLen: number[] = [];
  let bubbles = 0;
  for (let r = 0; r < rounds; r++) {
    const start = ctl.length;
    for (let po = 0; po < pOut; po++) {
      for (let pi = 0; pi < pIn; pi++) {
        const i = r * pIn + pi;
        if (i >= cin) continue;
        for (let m = 0; m < oLoc; m++) {
          const o = po + m * pOut;
          if (o >= cout) continue;
          const words = (layer.kernels[o * cin + i]! as readonly SparseEntry[]).map((e) => ({ ...NOOP, useful: true, oLocal: m, index: e.index, re: e.re, im: e.im, o, i }));
          bubbles += appendKernel(lists[po]![pi]!, words, distance, opts.reorder ?? true);
        }
      }
    }
    const end = Math.max(start + 1, ...lists.flat().map((l) => l.length));
    for (const list of lists.flat()) while (list.length < end) list.push(NOOP);
    for (let a = start; a < end; a++) ctl.push({ roundLast: a === end - 1, tileLast: a === end - 1 && r === rounds - 1 });
    roundLen.push(end - start);
  }
  const drainDepth = accDepth(K, drainWords, oLoc);
  const rom = lists.map((row) => row.map(markFirst));
  return {
    K,
    cin,
    cout,
    pOut,
    pIn,
    P: pOut * pIn,
    half: halfCols(K),
    L,
    oLoc,
    rounds,
    roundLen,
    depth: ctl.length,
    bubbles,
    rom,
    ctl,
    drainWords,
    drainDepth,
    drainKeep: rom.map((row) => row.map((list) => keepMask(list, K, drainWords, drainDepth))),
    macsPerTile,
    maxHits: Math.max(1, ...hits.values()),
    rmwDistance: distance,
    xBits: f.fftBits,
    weightBits: f.weightBits,
    indexBits,
    uBits,
    vBits,
    oBits: oLocalBits(oLoc),
    accBits: accumulatorBits(f.fftBits, f.weightBits, Math.max(1, ...hits.values())),
  };
}

/** Packs a ROM word as {useful, first, oLocal, index, re, im} (MSB first) in romWordBits() bits. */
export function packRomWord(w: RomWord, oBits: number, indexBits: number, weightBits: number): bigint {
  const m = (1n << BigInt(weightBits)) - 1n;
  let x = w.useful ? 1n : 0n;
  x = (x << 1n) | (w.first ? 1n : 0n);
  x = (x << BigInt(oBits)) | BigInt(w.oLocal);
  x = (x << BigInt(indexBits)) | BigInt(w.index);
  x = (x << BigInt(weightBits)) | (BigInt(w.re) & m);
  x = (x << BigInt(weightBits)) | (BigInt(w.im) & m);
  return x;
}

export function romWordBits(oBits: number, indexBits: number, weightBits: number): number {
  return 2 + oBits + indexBits + 2 * weightBits;
}

/**
 * A shallow copy of `value` whose JSON form (what hdl/core uses as the module-parameter key and
 * prints in the module's header comment) is `summary` plus a SHA-256 digest of the full value.
 * Works around the header comment carrying the whole parameter JSON on one line: Icarus's lexer
 * fails on lines over 16 KB ("input buffer overflow, can't enlarge buffer because scanner uses
 * REJECT"), which a layer's kernels or a kernel ROM's contents easily exceed.
 */
export function withDigest<T extends object>(value: T, summary: Record<string, unknown> = {}): T {
  const digest = createHash("sha256").update(JSON.stringify(value, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x))).digest("hex").slice(0, 16);
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as T;
  Object.defineProperty(copy, "toJSON", { value: () => ({ ...summary, sha256: digest }), enumerable: false });
  return copy;
}
