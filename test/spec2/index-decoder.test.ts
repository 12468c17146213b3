/** The sparse index decoder, exhaustively in Icarus against index = u*(K/2+1) + v. */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../hdl/core";
import { IndexDecoder, decodeIndex, halfCols, halfPlaneEntries, indexWidths } from "../../hdl/spec2/index-decoder";
import { indexBits as manifestIndexBits } from "../../spectral/weights";
import { runCombinational } from "../helpers/comb-bench";
import { expectCleanVerilog } from "../helpers/verilog-tools";

describe("IndexDecoder", () => {
  for (const K of [4, 8, 16]) {
    it(`K = ${K}: every index word decodes to (index div (K/2+1), index mod (K/2+1)); unused words to (0, 0)`, async () => {
      const { indexBits, uBits, vBits } = indexWidths(K);
      expect(indexBits).toBe(manifestIndexBits(K)); // the weight manifest's index field
      expect(2 ** uBits).toBe(K);
      expect(2 ** vBits).toBeGreaterThanOrEqual(halfCols(K));
      // the TypeScript model is the inverse of the half-plane layout
      for (let u = 0; u < K; u++) for (let v = 0; v < halfCols(K); v++) expect(decodeIndex(K, u * halfCols(K) + v)).toEqual({ u, v });
      const d = elaborate(IndexDecoder, { K });
      if (K === 8) await expectCleanVerilog(d.verilog, d.top);
      const all = Array.from({ length: 2 ** indexBits }, (_, i) => i);
      const got = runCombinational(d, all.map((i) => ({ index: BigInt(i) })));
      all.forEach((i) => {
        const want = i < halfPlaneEntries(K) ? { u: Math.floor(i / halfCols(K)), v: i % halfCols(K) } : { u: 0, v: 0 };
        expect({ i, u: Number(got[i]!.u), v: Number(got[i]!.v) }).toEqual({ i, ...want });
      });
    });
  }
});
