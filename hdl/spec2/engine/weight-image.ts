/**
 * The host side of streamed weights: a layer's PE-array schedule (../schedule.ts buildSchedule)
 * as the external-memory byte image WeightLoader reads.
 *
 * Layout: row a (schedule address a, packed as ../weight-row.ts says: tileLast, roundLast,
 * groups, then the word of every PE) takes rowBeats = ceil(rowBits / (8 dataBytes)) whole memory
 * beats from byte (a x rowBeats x dataBytes); bit k of the row is bit k mod (8 dataBytes) of its
 * beat floor(k / (8 dataBytes)), beats and bytes little-endian (byte i of a beat = its bits
 * [8i, 8i + 8)); the bits past the row in its last beat are 0. Padding a row to whole beats keeps
 * the loader a shift register (no row straddles a beat it shares with the next row), at the
 * cost of rowBeats x 8 dataBytes - rowBits bits per row.
 */
import { rowBits, weightRowShape, packScheduleRows, type WeightRowShape } from "../weight-row";
import type { Schedule } from "../schedule";

export interface WeightImage {
  /** the bytes, from the image's base address */
  readonly bytes: Uint8Array;
  /** schedule addresses (rows): the loader command's `rows` */
  readonly rows: number;
  /** memory beats per row */
  readonly rowBeats: number;
  readonly dataBytes: number;
}

/** Memory beats per row of `dataBytes`-byte beats. */
export function rowBeats(row: WeightRowShape, dataBytes: number): number {
  return Math.ceil(rowBits(row) / (8 * dataBytes));
}

/**
 * The image of a schedule for a memory of `dataBytes`-byte beats; `oBits`: the oLocal width of the
 * array it is for (an array with run-time channel counts: that of its maxCout), default the schedule's.
 */
export function weightImage(s: Schedule, dataBytes: number, oBits = s.oBits): WeightImage {
  const beats = rowBeats(weightRowShape(s, oBits), dataBytes);
  const rows = packScheduleRows(s, oBits);
  const rowBytes = beats * dataBytes;
  const bytes = new Uint8Array(rows.length * rowBytes);
  rows.forEach((row, a) => {
    for (let i = 0; i < rowBytes; i++) bytes[a * rowBytes + i] = Number((row >> BigInt(8 * i)) & 0xffn);
  });
  return { bytes, rows: rows.length, rowBeats: beats, dataBytes };
}

/** The image as memory beats (beat j = bytes [j dataBytes, (j + 1) dataBytes), little-endian). */
export function imageBeats(img: WeightImage): bigint[] {
  const n = img.bytes.length / img.dataBytes;
  return Array.from({ length: n }, (_, j) => {
    let beat = 0n;
    for (let i = img.dataBytes - 1; i >= 0; i--) beat = (beat << 8n) | BigInt(img.bytes[j * img.dataBytes + i]!);
    return beat;
  });
}
