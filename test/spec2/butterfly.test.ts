/**
 * The radix-2 DIF butterfly in hardware against the golden butterflyFixed: every constant
 * twiddle of K = 16 (forward and inverse, which covers K = 4 and 8), the negative real axis,
 * and a butterfly with the twiddle on input ports, at 16 and 22 data bits, on every
 * combination of full-scale edge values and on random words. Icarus Verilog.
 */
import { describe, expect, it } from "vitest";
import { Input, Output, defineModule, elaborate } from "../../hdl/core";
import { Butterfly, butterfly } from "../../hdl/spec2/butterfly";
import { ComplexT } from "../../hdl/spec2/fixed";
import { butterflyFixed, twiddleFixed } from "../../spectral/fixed";
import { runCombinational, type Vector } from "../helpers/comb-bench";
import { randInt, rng } from "../helpers/rng";
import { expectCleanVerilog } from "../helpers/verilog-tools";

const F = 14;
const toSigned = (b: bigint, w: number): number => Number(b >= 1n << BigInt(w - 1) ? b - (1n << BigInt(w)) : b);

/** Constant twiddles under test: all of K = 16 forward and inverse, plus (-2^F, 0). */
function constTwiddles(): [number, number][] {
  const seen = new Map<string, [number, number]>();
  for (const inverse of [false, true]) {
    for (let k = 0; k < 8; k++) {
      const w = twiddleFixed(16, k, F, inverse);
      seen.set(w.join(","), w);
    }
  }
  seen.set(`${-(2 ** F)},0`, [-(2 ** F), 0]);
  return [...seen.values()];
}

/** One module holding a butterfly per constant twiddle (module instances) and one with twiddle ports. */
const Bank = defineModule("ButterflyBank", (p: { dataBits: number; twiddles: [number, number][] }) => {
  const a = Input(ComplexT(p.dataBits));
  const b = Input(ComplexT(p.dataBits));
  const w = Input(ComplexT(F + 2));
  const outs: Record<string, ReturnType<typeof Output<ReturnType<typeof ComplexT>>>> = {};
  p.twiddles.forEach((tw, t) => {
    const inst = Butterfly.instance({ dataBits: p.dataBits, twiddleFrac: F, twiddle: tw });
    inst.a.re.assign(a.re);
    inst.a.im.assign(a.im);
    inst.b.re.assign(b.re);
    inst.b.im.assign(b.im);
    const top = Output(ComplexT(p.dataBits), { name: `top${t}` });
    const bot = Output(ComplexT(p.dataBits), { name: `bot${t}` });
    top.re.assign(inst.top.re);
    top.im.assign(inst.top.im);
    bot.re.assign(inst.bot.re);
    bot.im.assign(inst.bot.im);
    outs[`top${t}`] = top;
    outs[`bot${t}`] = bot;
  });
  // the generator inline, twiddle from ports
  const r = butterfly(a, b, w, { dataBits: p.dataBits, twiddleFrac: F });
  const vtop = Output(ComplexT(p.dataBits), { name: "vtop" });
  const vbot = Output(ComplexT(p.dataBits), { name: "vbot" });
  vtop.re.assign(r.top.re);
  vtop.im.assign(r.top.im);
  vbot.re.assign(r.bot.re);
  vbot.im.assign(r.bot.im);
  return { a, b, w, vtop, vbot, ...outs };
});

function vectors(n: number, seed: number): number[][] {
  const lo = -(2 ** (n - 1));
  const hi = 2 ** (n - 1) - 1;
  const edge = [lo, hi, 0, 1, -1];
  const vs: number[][] = [];
  for (const ar of edge) for (const ai of edge) for (const br of edge) for (const bi of edge) vs.push([ar, ai, br, bi]);
  const r = rng(seed);
  for (let i = 0; i < 400; i++) vs.push([randInt(r, lo, hi), randInt(r, lo, hi), randInt(r, lo, hi), randInt(r, lo, hi)]);
  return vs;
}

describe("butterfly is bit-exact with butterflyFixed", () => {
  const twiddles = constTwiddles();
  for (const [dataBits, seed] of [[16, 1], [22, 2]] as const) {
    it(`${twiddles.length} constant twiddles and a twiddle input, ${dataBits}-bit data`, () => {
      const d = elaborate(Bank, { dataBits, twiddles });
      const vs = vectors(dataBits, seed);
      const r = rng(seed + 100);
      const ws = vs.map((_, i): [number, number] =>
        i % 3 === 0 ? twiddles[i % twiddles.length]! : [randInt(r, -(2 ** (F + 1)), 2 ** (F + 1) - 1), randInt(r, -(2 ** (F + 1)), 2 ** (F + 1) - 1)],
      );
      const stim: Vector[] = vs.map(([ar, ai, br, bi], i) => ({
        a_re: BigInt(ar!), a_im: BigInt(ai!), b_re: BigInt(br!), b_im: BigInt(bi!), w_re: BigInt(ws[i]![0]), w_im: BigInt(ws[i]![1]),
      }));
      const got = runCombinational(d, stim);
      expect(got.length).toBe(vs.length);
      const opts = { dataBits, twiddleFrac: F };
      let saturated = 0;
      vs.forEach(([ar, ai, br, bi], i) => {
        const g = got[i]!;
        const s = (name: string): number => toSigned(g[name]!, dataBits);
        twiddles.forEach(([wr, wi], t) => {
          const want = butterflyFixed(ar!, ai!, br!, bi!, wr, wi, opts);
          const have = [s(`top${t}_re`), s(`top${t}_im`), s(`bot${t}_re`), s(`bot${t}_im`)];
          if (have.some((x, k) => x !== want[k])) expect({ a: [ar, ai], b: [br, bi], w: [wr, wi], have }).toEqual({ a: [ar, ai], b: [br, bi], w: [wr, wi], have: want });
          if (Math.abs(want[2]) === 2 ** (dataBits - 1) - 1 || want[2] === -(2 ** (dataBits - 1))) saturated++;
        });
        const want = butterflyFixed(ar!, ai!, br!, bi!, ws[i]![0], ws[i]![1], opts);
        expect([s("vtop_re"), s("vtop_im"), s("vbot_re"), s("vbot_im")]).toEqual(want);
      });
      expect(saturated).toBeGreaterThan(0); // the edge values do reach saturation
    });
  }

  it("the Butterfly module's Verilog is clean in Icarus, Verilator and Yosys (45-degree, general and port twiddles)", async () => {
    for (const twiddle of [[11585, -11585], [15137, -6270]] as const) {
      const d = elaborate(Butterfly, { dataBits: 16, twiddleFrac: F, twiddle: [...twiddle] as [number, number] });
      await expectCleanVerilog(d.verilog, d.top);
    }
    const v = elaborate(Butterfly, { dataBits: 22, twiddleFrac: F });
    await expectCleanVerilog(v.verilog, v.top);
  });
});
