/**
 * The TypeScript side of the SPEC2 PE array: which PE does which complex MAC when, and the
 * contents of every kernel ROM (SPEC2.md sections 3-5). Pure TypeScript, no hardware.
 *
 * PE (po, pi), po = 0..pOut-1, pi = 0..pIn-1, handles the output channels o = po + m*pOut
 * (m = 0..oLoc-1, "o_local" m) and the input channels i = pi + r*pIn ("round" r = 0..R-1).
 * All PEs run in lock step on one ROM address: the tile's schedule is R rounds; in round r,
 * PE (po, pi) works on input channel i = r*pIn + pi (all pIn channels of the round are in the
 * PEs' X banks), and its ROM holds, in order, for m = 0..oLoc-1, the stored entries of kernel
 * (o = po + m*pOut, i) in their stored order. A round is as long as its longest PE list (at
 * least 1); shorter lists, missing channels (i >= Cin) and missing output channels
 * (o >= Cout) are padded with no-op words (useful = 0). The control ROM marks each round's
 * and the tile's last address.
 *
 * With every kernel holding n entries, a round is oLoc*n long, the tile D = R*oLoc*n cycles,
 * against the ideal Cin*Cout*n/P.
 */
import { createHash } from "node:crypto";
import { halfCols, halfPlaneEntries, indexWidths } from "./index-decoder";
import type { FixedLayer, SparseEntry } from "../../spectral/fixed/layer";

/** One kernel ROM word. */
export interface RomWord {
  /** false for padding (no MAC) */
  readonly useful: boolean;
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
  /** rom[po][pi][a], a = 0..depth-1 */
  readonly rom: readonly (readonly (readonly RomWord[])[])[];
  /** ctl[a]: round / tile boundaries */
  readonly ctl: readonly CtlWord[];
  /** useful complex MACs per tile = sum of kernel lengths */
  readonly macsPerTile: number;
  /** the largest number of stored entries hitting one accumulator (o, index) over a whole tile */
  readonly maxHits: number;
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

const NOOP: RomWord = { useful: false, oLocal: 0, index: 0, re: 0, im: 0, o: -1, i: -1 };

export function buildSchedule(layer: FixedLayer, pOut: number, pIn: number): Schedule {
  const { K, cin, cout } = layer;
  for (const [name, v] of [["pOut", pOut], ["pIn", pIn], ["cin", cin], ["cout", cout]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`PE schedule: ${name} must be a positive integer, got ${v}`);
  }
  if (layer.kernels.length !== cin * cout) throw new RangeError(`PE schedule: expected ${cin * cout} kernels, got ${layer.kernels.length}`);
  const { indexBits, uBits, vBits } = indexWidths(K);
  const L = halfPlaneEntries(K);
  const f = layer.formats;
  const oLoc = Math.ceil(cout / pOut);
  const rounds = Math.ceil(cin / pIn);
  const hits = new Map<number, number>();
  let macsPerTile = 0;
  layer.kernels.forEach((ks, q) => {
    const o = Math.floor(q / cin);
    for (const e of ks) {
      if (!Number.isInteger(e.index) || e.index < 0 || e.index >= L) throw new RangeError(`PE schedule: kernel ${q} index ${e.index} outside 0..${L - 1}`);
      const lim = 2 ** (f.weightBits - 1);
      if (!(e.re >= -lim && e.re < lim && e.im >= -lim && e.im < lim)) throw new RangeError(`PE schedule: kernel ${q} value (${e.re}, ${e.im}) not ${f.weightBits}-bit`);
      const key = o * L + e.index;
      hits.set(key, (hits.get(key) ?? 0) + 1);
      macsPerTile++;
    }
  });
  const maxHits = Math.max(1, ...hits.values());
  const rom: RomWord[][][] = Array.from({ length: pOut }, () => Array.from({ length: pIn }, () => [] as RomWord[]));
  const ctl: CtlWord[] = [];
  const roundLen: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const lists: RomWord[][][] = [];
    let len = 1;
    for (let po = 0; po < pOut; po++) {
      lists.push([]);
      for (let pi = 0; pi < pIn; pi++) {
        const i = r * pIn + pi;
        const list: RomWord[] = [];
        if (i < cin) {
          for (let m = 0; m < oLoc; m++) {
            const o = po + m * pOut;
            if (o >= cout) continue;
            for (const e of layer.kernels[o * cin + i]! as readonly SparseEntry[]) list.push({ useful: true, oLocal: m, index: e.index, re: e.re, im: e.im, o, i });
          }
        }
        lists[po]!.push(list);
        len = Math.max(len, list.length);
      }
    }
    for (let po = 0; po < pOut; po++) {
      for (let pi = 0; pi < pIn; pi++) {
        const list = lists[po]![pi]!;
        while (list.length < len) list.push(NOOP);
        rom[po]![pi]!.push(...list);
      }
    }
    for (let a = 0; a < len; a++) ctl.push({ roundLast: a === len - 1, tileLast: a === len - 1 && r === rounds - 1 });
    roundLen.push(len);
  }
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
    rom,
    ctl,
    macsPerTile,
    maxHits,
    xBits: f.fftBits,
    weightBits: f.weightBits,
    indexBits,
    uBits,
    vBits,
    oBits: Math.max(1, Math.ceil(Math.log2(oLoc))),
    accBits: accumulatorBits(f.fftBits, f.weightBits, maxHits),
  };
}

/** Cycles from a tile's last MAC issue to the first drain read of its accumulator bank, minus 1. */
export const ACC_HANDOFF = 3;

/**
 * Cycle model of one tile in steady state (inputs always valid, output always ready), as an
 * average over two tiles: the MAC issue (D cycles), the input (Cin*(K/2+1) columns) and the
 * drain (Cout*(K/2+1) output columns) overlap, X and accumulator banks being double-buffered;
 * but tile t+2 accumulates in tile t's bank only after tile t's drain, which starts
 * ACC_HANDOFF + 1 cycles after tile t's last issue, so two tiles also take at least
 * D + ACC_HANDOFF + Cout*(K/2+1) cycles:
 *   tile = max(D, Cin*(K/2+1), Cout*(K/2+1), (D + Cout*(K/2+1) + ACC_HANDOFF) / 2).
 * (When D and the drain are nearly equal, successive tiles then alternate, e.g. 30/33 cycles.)
 */
export function cyclesPerTile(s: Schedule): { mac: number; input: number; drain: number; pair: number; tile: number } {
  const input = s.cin * s.half;
  const drain = s.cout * s.half;
  const pair = (s.depth + drain + ACC_HANDOFF) / 2;
  return { mac: s.depth, input, drain, pair, tile: Math.max(s.depth, input, drain, pair) };
}

/** Packs a ROM word as {useful, oLocal, index, re, im} (MSB first) in romWordBits(s) bits. */
export function packRomWord(w: RomWord, oBits: number, indexBits: number, weightBits: number): bigint {
  const m = (1n << BigInt(weightBits)) - 1n;
  let x = w.useful ? 1n : 0n;
  x = (x << BigInt(oBits)) | BigInt(w.oLocal);
  x = (x << BigInt(indexBits)) | BigInt(w.index);
  x = (x << BigInt(weightBits)) | (BigInt(w.re) & m);
  x = (x << BigInt(weightBits)) | (BigInt(w.im) & m);
  return x;
}

export function romWordBits(oBits: number, indexBits: number, weightBits: number): number {
  return 1 + oBits + indexBits + 2 * weightBits;
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
