/**
 * The row of a streamed PE-array schedule (PeArray with `weights: { maxDepth }`): one schedule
 * address = its control bits + the kernel word of every PE. The host packs rows
 * (engine/weight-image.ts), the weight loader unpacks them (engine/weight-loader.ts), the weight
 * buffer stores them (weight-buffer.ts) and the array reads them back one address per issue.
 *
 * A row as one integer, least significant bit first (rowBits() bits):
 *   bit 0                       tileLast: the tile's last address
 *   bit 1                       roundLast: the round's last address
 *   bits 2 .. 1 + groupsBits    groups: the PE groups pi < groups that have an input channel in
 *                               this address's round (pIn, but fewer in a last round when Cin is
 *                               not a multiple of pIn)
 *   then P words of wordBits    word k = po * pIn + pi (PE (po, pi)), as schedule.ts packRomWord
 * The buffer stores tileLast and the rest of the control as `ctl` (roundLast in bit 0).
 *
 * Run-time channel counts: a row stream of an array with run-time channels (PeArray streamed
 * weights) also carries, with `last` and `tiles`, the bank's `cin` and `cout` (the layer's input
 * and output channel counts, WeightRowShape cinBits / coutBits); they are framing, not stored.
 * The PE words then pack oLocal at the array's width (ceil(maxCout / pOut) local channels), so a
 * layer of fewer output channels is packed with `oBits` of the array, not of its own schedule.
 */
import { Bool, Bundle, UInt, Vec, type Signal, type Var } from "../core";
import { bitsFor } from "./generator-params";
import { packRomWord, romWordBits, type Schedule } from "./schedule";

/** The widths of a row. */
export interface WeightRowShape {
  /** words per row: P = pOut * pIn */
  readonly words: number;
  /** bits of one PE's word (romWordBits) */
  readonly wordBits: number;
  /** control bits besides tileLast: roundLast + groups */
  readonly ctlBits: number;
  /** bits of the framing fields `cin` and `cout` (run-time channel counts); absent: no such fields */
  readonly cinBits?: number;
  readonly coutBits?: number;
}

/** Bits of the `groups` field: 0..pIn. */
export function groupsBits(pIn: number): number {
  return bitsFor(pIn);
}

/** The row shape of a schedule's array (`oBits`: the array's oLocal width, default the schedule's). */
export function weightRowShape(s: Pick<Schedule, "pOut" | "pIn" | "oBits" | "indexBits" | "weightBits">, oBits = s.oBits): WeightRowShape {
  return { words: s.pOut * s.pIn, wordBits: romWordBits(oBits, s.indexBits, s.weightBits), ctlBits: 1 + groupsBits(s.pIn) };
}

/** The stored part of a shape (without the channel framing), as the weight buffer keeps it. */
export function storedRowShape(r: WeightRowShape): WeightRowShape {
  return { words: r.words, wordBits: r.wordBits, ctlBits: r.ctlBits };
}

/** Bits of a packed row. */
export function rowBits(r: WeightRowShape): number {
  return 1 + r.ctlBits + r.words * r.wordBits;
}

/**
 * The row stream's payload: the stored row (tileLast, ctl, words) and its framing: `last` marks a
 * bank's last row, `tiles` (read with `last`) the number of tiles the bank serves (at least 1).
 */
export function WeightRow(r: WeightRowShape, tileBits: number) {
  const stored = { tileLast: Bool(), ctl: UInt(r.ctlBits), words: Vec(r.words, UInt(r.wordBits)), last: Bool(), tiles: UInt(tileBits) };
  if (r.cinBits === undefined || r.coutBits === undefined) return Bundle(stored);
  return Bundle({ ...stored, cin: UInt(r.cinBits), cout: UInt(r.coutBits) });
}

/** The schedule's rows, packed (host side); `oBits`: the array's oLocal width, default the schedule's. */
export function packScheduleRows(s: Schedule, oBits = s.oBits): bigint[] {
  if (oBits < s.oBits) throw new RangeError(`packScheduleRows: oBits ${oBits} below the schedule's ${s.oBits}`);
  const shape = weightRowShape(s, oBits);
  const gBits = BigInt(groupsBits(s.pIn));
  const rows: bigint[] = [];
  let round = 0;
  for (let a = 0; a < s.depth; a++) {
    const c = s.ctl[a]!;
    const groups = BigInt(Math.min(s.pIn, s.cin - round * s.pIn));
    let row = 0n;
    for (let k = shape.words - 1; k >= 0; k--) {
      const w = s.rom[Math.floor(k / s.pIn)]![k % s.pIn]![a]!;
      row = (row << BigInt(shape.wordBits)) | packRomWord(w, oBits, s.indexBits, s.weightBits);
    }
    row = (row << gBits) | groups;
    row = (row << 2n) | (c.roundLast ? 2n : 0n) | (c.tileLast ? 1n : 0n);
    rows.push(row);
    if (c.roundLast) round = c.tileLast ? 0 : round + 1;
  }
  return rows;
}

/** Hardware: drives a row bundle's stored fields from a packed row of rowBits() bits. */
export function unpackRow(bits: Signal, r: WeightRowShape, row: { tileLast: Var; ctl: Var; words: { at(i: number): Var } }): void {
  row.tileLast.assign(bits.bit(0));
  row.ctl.assign(bits.bits(r.ctlBits, 1));
  for (let k = 0; k < r.words; k++) {
    const lo = 1 + r.ctlBits + k * r.wordBits;
    row.words.at(k).assign(bits.bits(lo + r.wordBits - 1, lo));
  }
}
