/** roundShift, saturate and the exact complex product in hardware against the golden primitives. */
import { describe, expect, it } from "vitest";
import { Input, Output, SInt, defineModule, elaborate } from "../../hdl/core";
import { complexMul, roundShift, saturate } from "../../hdl/spec2/fixed";
import { complexMul as goldenMul, roundShift as goldenRoundShift, saturate as goldenSaturate } from "../../spectral/fixed";
import { runCombinational } from "../helpers/comb-bench";
import { randInt, rng } from "../helpers/rng";

const toSigned = (b: bigint, w: number): number => Number(b >= 1n << BigInt(w - 1) ? b - (1n << BigInt(w)) : b);

describe("fixed-point primitives are bit-exact with the golden model", () => {
  it("roundShift and saturate", () => {
    const Dut = defineModule("RoundSat", () => {
      const x = Input(SInt(20));
      const r1 = Output(SInt(20));
      const r5 = Output(SInt(16));
      const s12 = Output(SInt(12));
      const rs = Output(SInt(10));
      r1.assign(roundShift(x, 1));
      r5.assign(roundShift(x, 5));
      s12.assign(saturate(x, 12));
      rs.assign(saturate(roundShift(x, 3), 10));
      return { x, r1, r5, s12, rs };
    });
    const d = elaborate(Dut);
    const xs = [0, 1, -1, 2, -2, 3, -3, 5, -5, 31, -31, 32, -33, 2047, 2048, -2048, -2049, 524287, -524288, 4095, -4096];
    const r = rng(5);
    for (let i = 0; i < 60; i++) xs.push(randInt(r, -(2 ** 19), 2 ** 19 - 1));
    const got = runCombinational(d, xs.map((x) => ({ x: BigInt(x) })));
    xs.forEach((x, i) => {
      const g = got[i]!;
      expect([x, toSigned(g.r1!, 20), toSigned(g.r5!, 16), toSigned(g.s12!, 12), toSigned(g.rs!, 10)]).toEqual([
        x, goldenRoundShift(x, 1), goldenRoundShift(x, 5), goldenSaturate(x, 12), goldenSaturate(goldenRoundShift(x, 3), 10),
      ]);
    });
  });

  it("complex product", () => {
    const Dut = defineModule("CMul", () => {
      const ar = Input(SInt(16));
      const ai = Input(SInt(16));
      const br = Input(SInt(16));
      const bi = Input(SInt(16));
      const pr = Output(SInt(33));
      const pi = Output(SInt(33));
      const p = complexMul({ re: ar, im: ai }, { re: br, im: bi });
      pr.assign(p.re);
      pi.assign(p.im);
      return { ar, ai, br, bi, pr, pi };
    });
    const d = elaborate(Dut);
    const edge = [-32768, 32767, 0, 1, -1];
    const vs = [];
    for (const a of edge) for (const b of edge) vs.push([a, b, b, a]);
    const r = rng(9);
    for (let i = 0; i < 50; i++) vs.push(Array.from({ length: 4 }, () => randInt(r, -32768, 32767)));
    const got = runCombinational(d, vs.map(([ar, ai, br, bi]) => ({ ar: BigInt(ar!), ai: BigInt(ai!), br: BigInt(br!), bi: BigInt(bi!) })));
    vs.forEach(([ar, ai, br, bi], i) => {
      expect([toSigned(got[i]!.pr!, 33), toSigned(got[i]!.pi!, 33)]).toEqual(goldenMul(ar!, ai!, br!, bi!));
    });
  });
});
