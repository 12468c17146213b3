/**
 * The weight image's layout (weight-image.ts), read back with the rule written out here: row a at
 * byte a x rowBeats x dataBytes, bits little-endian: tileLast, roundLast, groups, then each PE's
 * word {im, re, index, oLocal, first, useful} from the least significant bit, PE k = po x pIn + pi;
 * the padding past the row is 0. Compared field by field with the schedule; also packed for an
 * array of more local output channels (a wider oLocal, as an array with run-time channel counts
 * has), and a width below the schedule's is rejected.
 */
import { describe, expect, it } from "vitest";
import { imageBeats, rowBeats, weightImage } from "../../../hdl/spec2/engine/weight-image";
import { buildSchedule } from "../../../hdl/spec2/schedule";
import { weightRowShape } from "../../../hdl/spec2/weight-row";
import { makeLayer } from "../../helpers/pe-array-golden";

/** Bits [lo, lo + n) of a little-endian byte string, as a number. */
function bitsAt(bytes: Uint8Array, lo: number, n: number): number {
  let v = 0;
  for (let k = n - 1; k >= 0; k--) v = v * 2 + ((bytes[(lo + k) >> 3]! >> ((lo + k) & 7)) & 1);
  return v;
}

const signed = (v: number, bits: number): number => (v >= 2 ** (bits - 1) ? v - 2 ** bits : v);

describe("weightImage", () => {
  // Cin 5 over pIn 2: rounds of 2, 2 and 1 group(s)
  const layer = makeLayer({ cin: 5, cout: 3, K: 8, n: 4, seed: 7 });
  const s = buildSchedule(layer, 2, 2);
  for (const [dataBytes, oBits] of [[8, s.oBits], [64, s.oBits], [8, s.oBits + 2]] as const) {
    it(`${dataBytes}-byte beats, oLocal of ${oBits} bit(s): every row's control bits and every PE's fields where the layout puts them`, () => {
      const img = weightImage(s, dataBytes, oBits);
      const shape = weightRowShape(s, oBits);
      const rowBits = 1 + shape.ctlBits + shape.words * shape.wordBits;
      expect(img.rowBeats).toBe(Math.ceil(rowBits / (8 * dataBytes)));
      expect(rowBeats(shape, dataBytes)).toBe(img.rowBeats);
      expect(img.rows).toBe(s.depth);
      expect(img.bytes.length).toBe(s.depth * img.rowBeats * dataBytes);
      const rowBytes = img.rowBeats * dataBytes;
      let round = 0;
      for (let a = 0; a < s.depth; a++) {
        const row = img.bytes.subarray(a * rowBytes, (a + 1) * rowBytes);
        expect(bitsAt(row, 0, 1) === 1).toBe(s.ctl[a]!.tileLast);
        expect(bitsAt(row, 1, 1) === 1).toBe(s.ctl[a]!.roundLast);
        expect(bitsAt(row, 2, 2)).toBe(round < 2 ? 2 : 1);
        let lo = 4;
        for (let po = 0; po < 2; po++) {
          for (let pi = 0; pi < 2; pi++) {
            const w = s.rom[po]![pi]![a]!;
            const field = (n: number): number => {
              const v = bitsAt(row, lo, n);
              lo += n;
              return v;
            };
            const got = { im: signed(field(16), 16), re: signed(field(16), 16), index: field(s.indexBits), oLocal: field(oBits), first: field(1) === 1, useful: field(1) === 1 };
            expect(got).toEqual({ im: w.im, re: w.re, index: w.index, oLocal: w.oLocal, first: w.first, useful: w.useful });
          }
        }
        expect(lo).toBe(rowBits);
        for (let k = rowBits; k < 8 * rowBytes; k++) expect(bitsAt(row, k, 1)).toBe(0);
        if (s.ctl[a]!.roundLast) round = s.ctl[a]!.tileLast ? 0 : round + 1;
      }
      // beats: byte i of beat j is bits [8i, 8i + 8)
      const beats = imageBeats(img);
      expect(beats.length).toBe(img.bytes.length / dataBytes);
      expect(Number(beats[1]! & 0xffn)).toBe(img.bytes[dataBytes]);
      expect(Number((beats[0]! >> BigInt(8 * (dataBytes - 1))) & 0xffn)).toBe(img.bytes[dataBytes - 1]);
    });
  }

  it("rejects an oLocal width below the schedule's", () => {
    expect(s.oBits).toBe(1);
    expect(() => weightImage(s, 8, 0)).toThrow("packScheduleRows: oBits 0 below the schedule's 1");
  });
});
