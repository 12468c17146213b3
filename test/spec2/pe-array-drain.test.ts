/**
 * The drain's accumulator-to-IFFT conversion with the shift chosen at run time
 * (macToIfftInputRuntimeHw) on Icarus against the golden model's macToIfftInput, for every shift
 * of two ranges (positive, and crossing zero) and accumulators at the rounding ties and the
 * saturation edges.
 */
import { describe, expect, it } from "vitest";
import { Input, Output, SInt, constant, defineModule, elaborate } from "../../hdl/core";
import { macToIfftInputRuntimeHw } from "../../hdl/spec2/pe-array-drain";
import { bitsFor, signedBitsFor } from "../../hdl/spec2/generator-params";
import { macToIfftInput } from "../../spectral/fixed";
import { runCombinational } from "../helpers/comb-bench";
import { randInt, rng } from "../helpers/rng";

const ACC_BITS = 40;
const IFFT_BITS = 22;
const toSigned = (b: bigint, w: number): number => Number(b >= 1n << BigInt(w - 1) ? b - (1n << BigInt(w)) : b);

describe("macToIfftInputRuntimeHw: the drain's shift chosen at run time", () => {
  for (const [min, max] of [[5, 9], [-2, 3]] as const) {
    it(`equals the golden macToIfftInput for every macShift in ${min}..${max} (Icarus)`, () => {
      const Dut = defineModule(`RuntimeShift_${min < 0 ? "m" : ""}${Math.abs(min)}_${max}`, () => {
        const acc = Input(SInt(ACC_BITS));
        const shift = Input(SInt(signedBitsFor(min, max)));
        const out = Output(SInt(IFFT_BITS));
        const amount = constant(max, SInt(shift.width + 1)).sub(shift).asUInt().resize(bitsFor(max - min));
        out.assign(macToIfftInputRuntimeHw(acc, { max, amount }, IFFT_BITS));
        return { acc, shift, out };
      });
      const r = rng(21 + min);
      const accs = [0, 1, -1, 2, -2, 15, 16, -16, -17, 2 ** 25, -(2 ** 25), 2 ** 30 + 511, -(2 ** 30) - 512, 2 ** 39 - 1, -(2 ** 39)];
      for (let s = Math.max(min, 1); s <= max; s++) accs.push(2 ** (s - 1), -(2 ** (s - 1)), 3 * 2 ** (s - 1), -3 * 2 ** (s - 1)); // ties
      for (let i = 0; i < 40; i++) accs.push(randInt(r, -(2 ** 31), 2 ** 31 - 1));
      const cases = accs.flatMap((acc) => Array.from({ length: max - min + 1 }, (_, j) => [acc, min + j] as const));
      const got = runCombinational(elaborate(Dut), cases.map(([acc, s]) => ({ acc: BigInt(acc), shift: BigInt(s) })));
      const wrong = cases.filter(([acc, s], i) => toSigned(got[i]!.out!, IFFT_BITS) !== macToIfftInput(acc, s, IFFT_BITS));
      expect(wrong).toEqual([]);
    });
  }
});
