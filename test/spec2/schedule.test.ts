/** The PE schedule / kernel-ROM builder against the FixedLayer it is built from. */
import { describe, expect, it } from "vitest";
import { decodeIndex } from "../../hdl/spec2/index-decoder";
import { ACC_RMW_DISTANCE, accLocation } from "../../hdl/spec2/pe";
import { accumulatorBits, buildSchedule, packRomWord, romWordBits, withDigest, type RomWord } from "../../hdl/spec2/schedule";
import { defaultFormats, type FixedLayer, type SparseEntry } from "../../spectral/fixed";
import { randInt, rng } from "../helpers/rng";

function layerOf(cin: number, cout: number, K: number, nOf: (o: number, i: number) => number, seed: number): FixedLayer {
  const r = rng(seed);
  const L = K * (K / 2 + 1);
  const kernels: SparseEntry[][] = [];
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < cin; i++) {
      // distinct indices, as pruning produces them (a kernel of more than L entries repeats some)
      const n = nOf(o, i);
      const pool = Array.from({ length: L }, (_, q) => q);
      for (let q = L - 1; q > 0; q--) {
        const t = randInt(r, 0, q);
        [pool[q], pool[t]] = [pool[t]!, pool[q]!];
      }
      kernels.push(Array.from({ length: n }, (_, j) => ({ index: j < L ? pool[j]! : randInt(r, 0, L - 1), re: randInt(r, -32768, 32767), im: randInt(r, -32768, 32767) })));
    }
  }
  return { cin, cout, h: 12, w: 12, k: 5, p: 0, K, relu: false, formats: defaultFormats(K, 13, 14, 10), kernels, bias: new Array<number>(cout).fill(0) };
}

/** Checks every structural property of the schedule against the layer. */
function checkSchedule(layer: FixedLayer, pOut: number, pIn: number, drainWords = 1): void {
  const s = buildSchedule(layer, pOut, pIn, { drainWords });
  const { cin, cout } = layer;
  expect(s.oLoc).toBe(Math.ceil(cout / pOut));
  expect(s.rounds).toBe(Math.ceil(cin / pIn));
  expect(s.rom.length).toBe(pOut);
  s.rom.forEach((row) => {
    expect(row.length).toBe(pIn);
    row.forEach((words) => expect(words.length).toBe(s.depth));
  });
  // control ROM: round boundaries where the round lengths say, tile end at the last address
  expect(s.ctl.length).toBe(s.depth);
  expect(s.roundLen.reduce((a, b) => a + b, 0)).toBe(s.depth);
  const starts: number[] = [];
  const roundOf = (a: number): number => {
    let r = 0;
    while (r + 1 < starts.length && starts[r + 1]! <= a) r++;
    return r;
  };
  let a0 = 0;
  for (const len of s.roundLen) {
    starts.push(a0);
    a0 += len;
  }
  s.ctl.forEach((c, a) => {
    const r = roundOf(a);
    expect(c.roundLast).toBe(a === starts[r]! + s.roundLen[r]! - 1);
    expect(c.tileLast).toBe(a === s.depth - 1);
  });
  // the useful words of PE (po, pi) in round r are kernel (o, i = r*pIn + pi) entries, o = po (mod pOut)
  const seen = new Map<string, SparseEntry[]>();
  const lastPos = new Map<string, number>();
  for (let po = 0; po < pOut; po++) {
    for (let pi = 0; pi < pIn; pi++) {
      s.rom[po]![pi]!.forEach((w: RomWord, a) => {
        if (!w.useful) {
          expect(w).toMatchObject({ oLocal: 0, index: 0, re: 0, im: 0 });
          return;
        }
        const r = roundOf(a);
        expect(w.i).toBe(r * pIn + pi);
        expect(w.o % pOut).toBe(po);
        expect(w.oLocal).toBe((w.o - po) / pOut);
        const key = `${w.o},${w.i}`;
        // a kernel's entries are contiguous but for no-op bubbles
        if (lastPos.has(key)) expect(s.rom[po]![pi]!.slice(lastPos.get(key)! + 1, a).every((x) => !x.useful)).toBe(true);
        lastPos.set(key, a);
        seen.set(key, [...(seen.get(key) ?? []), { index: w.index, re: w.re, im: w.im }]);
      });
      // within a round, output channels ascend
      for (let r = 0; r < s.rounds; r++) {
        const os = s.rom[po]![pi]!.slice(starts[r], starts[r]! + s.roundLen[r]!).filter((w) => w.useful).map((w) => w.o);
        expect(os).toEqual([...os].sort((x, y) => x - y));
      }
    }
  }
  // every kernel exactly once (in any order: the sum does not depend on it)
  let macs = 0;
  const sorted = (es: readonly SparseEntry[]): SparseEntry[] => [...es].sort((a, b) => a.index - b.index || a.re - b.re || a.im - b.im);
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < cin; i++) {
      const k = layer.kernels[o * cin + i]!;
      macs += k.length;
      expect(sorted(seen.get(`${o},${i}`) ?? [])).toEqual(sorted(k.map((e) => ({ index: e.index, re: e.re, im: e.im }))));
    }
  }
  expect(s.macsPerTile).toBe(macs);
  // per PE: no accumulator word twice within the read-modify-write distance; `first` on the
  // first MAC into each word; drainKeep = the words touched
  for (let po = 0; po < pOut; po++) {
    for (let pi = 0; pi < pIn; pi++) {
      const list = s.rom[po]![pi]!;
      const firstSeen = new Set<string>();
      const keep = new Array<number>(s.drainDepth).fill(0);
      list.forEach((w, a) => {
        if (!w.useful) return;
        const key = `${w.oLocal},${w.index}`;
        for (let b = Math.max(0, a - ACC_RMW_DISTANCE + 1); b < a; b++) expect(list[b]!.useful && `${list[b]!.oLocal},${list[b]!.index}` === key).toBe(false);
        expect(w.first).toBe(!firstSeen.has(key));
        firstSeen.add(key);
        const { u, v } = decodeIndex(layer.K, w.index);
        const loc = accLocation(layer.K, drainWords, w.oLocal, u, v);
        keep[loc.addr] = keep[loc.addr]! | (1 << loc.mem);
      });
      expect(s.drainKeep[po]![pi]).toEqual(keep);
    }
  }
  // round length = the longest PE list of the round (at least 1), plus bubbles where needed
  for (let r = 0; r < s.rounds; r++) {
    let longest = 1;
    for (let po = 0; po < pOut; po++) {
      for (let pi = 0; pi < pIn; pi++) {
        const i = r * pIn + pi;
        if (i >= cin) continue;
        let len = 0;
        for (let o = po; o < cout; o += pOut) len += layer.kernels[o * cin + i]!.length;
        longest = Math.max(longest, len);
      }
    }
    if (s.bubbles === 0) expect(s.roundLen[r]).toBe(longest);
    else expect(s.roundLen[r]).toBeGreaterThanOrEqual(longest);
  }
  // accumulator width from the largest number of entries hitting one (o, index)
  let maxHits = 1;
  for (let o = 0; o < cout; o++) {
    const hits = new Map<number, number>();
    for (let i = 0; i < cin; i++) for (const e of layer.kernels[o * cin + i]!) hits.set(e.index, (hits.get(e.index) ?? 0) + 1);
    maxHits = Math.max(maxHits, ...hits.values());
  }
  expect(s.maxHits).toBe(maxHits);
  expect(s.accBits).toBe(33 + Math.floor(Math.log2(maxHits)));
}

describe("buildSchedule", () => {
  it("LeNet shapes (n = 10, K = 8) for dividing and non-dividing pOut x pIn", () => {
    const conv1 = layerOf(1, 6, 8, () => 10, 1);
    const conv2 = layerOf(6, 16, 8, () => 10, 2);
    for (const [pOut, pIn] of [[1, 1], [2, 1], [4, 1], [6, 1], [7, 2]]) checkSchedule(conv1, pOut!, pIn!);
    for (const [pOut, pIn] of [[1, 1], [4, 2], [5, 4], [8, 2], [16, 6], [3, 5], [20, 7]]) checkSchedule(conv2, pOut!, pIn!);
    checkSchedule(conv2, 4, 2, 2);
    checkSchedule(conv1, 2, 1, 8);
    const s = buildSchedule(conv2, 4, 2);
    expect(s.depth).toBe(3 * 4 * 10); // R * oLoc * n
    expect(s.drainDepth).toBe(4 * 40);
    const s2 = buildSchedule(conv2, 5, 4); // oLoc 4 (one PE group has only 3 channels), R 2
    expect(s2.depth).toBe(2 * 4 * 10);
    expect(s2.rom[1]![0]!.filter((w) => !w.useful).length).toBe(2 * 10); // o = 16 does not exist
    expect(s2.rom[0]![2]!.slice(40).every((w) => !w.useful)).toBe(true); // i = 6 does not exist
  });

  it("kernels of different lengths (including empty) are padded per round; K = 4 and 16", () => {
    for (const K of [4, 8, 16]) {
      const L = K * (K / 2 + 1);
      const l = layerOf(5, 3, K, (o, i) => (o * 7 + i * 3) % (L + 1), 10 + K);
      for (const [pOut, pIn] of [[1, 1], [2, 2], [3, 5], [2, 3]]) checkSchedule(l, pOut!, pIn!);
    }
    const empty = layerOf(2, 2, 8, () => 0, 3);
    const s = buildSchedule(empty, 1, 1);
    expect(s.roundLen).toEqual([1, 1]);
    expect(s.macsPerTile).toBe(0);
  });

  it("rejects malformed layers", () => {
    const l = layerOf(2, 2, 8, () => 3, 4);
    expect(() => buildSchedule({ ...l, kernels: l.kernels.slice(1) }, 1, 1)).toThrow(/expected 4 kernels/);
    expect(() => buildSchedule({ ...l, kernels: [[{ index: 40, re: 0, im: 0 }], ...l.kernels.slice(1)] }, 1, 1)).toThrow(/index 40 outside 0..39/);
    expect(() => buildSchedule({ ...l, kernels: [[{ index: 1, re: 32768, im: 0 }], ...l.kernels.slice(1)] }, 1, 1)).toThrow(/not 16-bit/);
    expect(() => buildSchedule(l, 0, 1)).toThrow(/pOut must be a positive integer/);
  });

  it("the accumulator width is exact for the worst case and one bit less would overflow", () => {
    // the largest complex-product part: im of (-2^15 - j 2^15) * (-2^15 - j 2^15) = 2^31
    const worst = 2 * (-32768 * -32768);
    for (const M of [1, 2, 3, 5, 6, 8, 16, 17, 1000]) {
      const w = accumulatorBits(16, 16, M);
      const fits = (x: number, bits: number): boolean => x <= 2 ** (bits - 1) - 1 && x >= -(2 ** (bits - 1));
      expect(fits(M * worst, w) && fits(-M * worst, w)).toBe(true);
      expect(fits(M * worst, w - 1)).toBe(false);
    }
  });

  it("packs ROM words as {useful, first, oLocal, index, re, im}", () => {
    const w: RomWord = { useful: true, first: true, oLocal: 2, index: 39, re: -1, im: -32768, o: 0, i: 0 };
    const x = packRomWord(w, 2, 6, 16);
    expect(romWordBits(2, 6, 16)).toBe(42);
    expect(x).toBe((1n << 41n) | (1n << 40n) | (2n << 38n) | (39n << 32n) | (0xffffn << 16n) | 0x8000n);
  });

  it("one local output channel: the next round's kernel is reordered away from the words just issued", () => {
    // kernels (0, i): indices 1, 2, 3 for even i and 3, 2, 1 for odd i; oLoc = 1
    const l: FixedLayer = {
      ...layerOf(4, 1, 8, () => 3, 5),
      kernels: [0, 1, 2, 3].map((i) => (i % 2 === 0 ? [1, 2, 3] : [3, 2, 1]).map((index) => ({ index, re: i + 1, im: 0 }))),
    };
    const s = buildSchedule(l, 1, 1);
    expect(s.bubbles).toBe(0);
    expect(s.rom[0]![0]!.map((w) => w.index)).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
    expect(buildSchedule(l, 1, 1, { reorder: false }).rom[0]![0]!.map((w) => w.index)).toEqual([1, 2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1]);
    checkSchedule(l, 1, 1);
  });

  it("withDigest keeps the value but serialises to a short, content-dependent summary", () => {
    const a = withDigest([1, 2, 3], { n: 3 });
    const b = withDigest([1, 2, 4], { n: 3 });
    expect([...a]).toEqual([1, 2, 3]);
    expect(JSON.stringify(a)).toMatch(/^\{"n":3,"sha256":"[0-9a-f]{16}"\}$/);
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
  });
});
