/**
 * Operator semantics: every operator, over random widths (1..70 bits) and
 * signedness, simulated in Icarus Verilog and on the JS backend and compared with a BigInt model
 * of the documented width rules written here, independently of the emitter.
 */
import { describe, expect, it } from "vitest";
import { Bool, Input, Output, SInt, UInt, cat, defineModule, elaborate, mux, type Signal } from "../../hdl/core";
import { runCombinational, type Vector } from "../helpers/comb-bench";
import { runCombinationalJs } from "../helpers/comb-js";
import { expectCleanVerilog } from "../helpers/verilog-tools";

/** A deterministic PRNG (xorshift128+) so failures reproduce. */
function rng(seed: number): () => number {
  let s0 = BigInt(seed) | 1n;
  let s1 = 0x9e3779b97f4a7c15n;
  const M = (1n << 64n) - 1n;
  return () => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= (x << 23n) & M;
    s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return Number(((s1 + y) & M) >> 11n) / 2 ** 53;
  };
}

const mask = (w: number): bigint => (1n << BigInt(w)) - 1n;
const bits = (v: bigint, w: number): bigint => v & mask(w);
const fromBits = (b: bigint, w: number, signed: boolean): bigint => (signed && (b >> BigInt(w - 1)) & 1n ? b - (1n << BigInt(w)) : b);
const wrap = (v: bigint, w: number, signed: boolean): bigint => fromBits(bits(v, w), w, signed);
const floorDiv = (a: bigint, d: bigint): bigint => (a >= 0n ? a / d : -((-a + d - 1n) / d));

interface Operand { value: bigint; width: number; signed: boolean }
/** A reference result: value and type. */
type Ref = (a: Operand, b: Operand, c: Operand, s: Operand) => { value: bigint; width: number; signed: boolean };

const W = (a: Operand, b: Operand): number => Math.max(a.width, b.width);
const ext = (x: Operand, w: number): bigint => bits(x.value, w); // sign/zero extension then bits (value is exact)

const ops: Record<string, { hw: (a: Signal, b: Signal, c: Signal, s: Signal) => Signal; ref: Ref; sameSign?: boolean }> = {
  add: { hw: (a, b) => a.add(b), ref: (a, b) => ({ value: a.value + b.value, width: W(a, b) + 1, signed: a.signed }), sameSign: true },
  sub: { hw: (a, b) => a.sub(b), ref: (a, b) => ({ value: wrap(a.value - b.value, W(a, b) + 1, a.signed), width: W(a, b) + 1, signed: a.signed }), sameSign: true },
  addWrap: { hw: (a, b) => a.addWrap(b), ref: (a, b) => ({ value: wrap(a.value + b.value, W(a, b), a.signed), width: W(a, b), signed: a.signed }), sameSign: true },
  subWrap: { hw: (a, b) => a.subWrap(b), ref: (a, b) => ({ value: wrap(a.value - b.value, W(a, b), a.signed), width: W(a, b), signed: a.signed }), sameSign: true },
  mul: { hw: (a, b) => a.mul(b), ref: (a, b) => ({ value: a.value * b.value, width: a.width + b.width, signed: a.signed }), sameSign: true },
  and: { hw: (a, b) => a.and(b), ref: (a, b) => ({ value: fromBits(ext(a, W(a, b)) & ext(b, W(a, b)), W(a, b), a.signed), width: W(a, b), signed: a.signed }), sameSign: true },
  or: { hw: (a, b) => a.or(b), ref: (a, b) => ({ value: fromBits(ext(a, W(a, b)) | ext(b, W(a, b)), W(a, b), a.signed), width: W(a, b), signed: a.signed }), sameSign: true },
  xor: { hw: (a, b) => a.xor(b), ref: (a, b) => ({ value: fromBits(ext(a, W(a, b)) ^ ext(b, W(a, b)), W(a, b), a.signed), width: W(a, b), signed: a.signed }), sameSign: true },
  not: { hw: (a) => a.not(), ref: (a) => ({ value: fromBits(bits(~a.value, a.width), a.width, a.signed), width: a.width, signed: a.signed }) },
  neg: { hw: (a) => a.neg(), ref: (a) => ({ value: -a.value, width: a.width + 1, signed: true }) },
  eq: { hw: (a, b) => a.eq(b), ref: (a, b) => ({ value: a.value === b.value ? 1n : 0n, width: 1, signed: false }), sameSign: true },
  neq: { hw: (a, b) => a.neq(b), ref: (a, b) => ({ value: a.value !== b.value ? 1n : 0n, width: 1, signed: false }), sameSign: true },
  lt: { hw: (a, b) => a.lt(b), ref: (a, b) => ({ value: a.value < b.value ? 1n : 0n, width: 1, signed: false }), sameSign: true },
  le: { hw: (a, b) => a.le(b), ref: (a, b) => ({ value: a.value <= b.value ? 1n : 0n, width: 1, signed: false }), sameSign: true },
  gt: { hw: (a, b) => a.gt(b), ref: (a, b) => ({ value: a.value > b.value ? 1n : 0n, width: 1, signed: false }), sameSign: true },
  ge: { hw: (a, b) => a.ge(b), ref: (a, b) => ({ value: a.value >= b.value ? 1n : 0n, width: 1, signed: false }), sameSign: true },
  shl3: { hw: (a) => a.shl(3), ref: (a) => ({ value: a.value * 8n, width: a.width + 3, signed: a.signed }) },
  shr2: { hw: (a) => a.shr(2), ref: (a) => ({ value: floorDiv(a.value, 4n), width: Math.max(a.width - 2, 1), signed: a.signed }) },
  shrAll: { hw: (a) => a.shr(a.width + 1), ref: (a) => ({ value: a.value < 0n ? -1n : 0n, width: 1, signed: a.signed }) },
  dshl: { hw: (a, _b, _c, s) => a.shl(s), ref: (a, _b, _c, s) => ({ value: a.value << s.value, width: a.width + 7, signed: a.signed }) },
  dshr: { hw: (a, _b, _c, s) => a.shr(s), ref: (a, _b, _c, s) => ({ value: floorDiv(a.value, 1n << s.value), width: a.width, signed: a.signed }) },
  bitsLow: { hw: (a) => a.bits(Math.min(a.width - 1, 5), 0), ref: (a) => ({ value: bits(a.value, Math.min(a.width, 6)), width: Math.min(a.width, 6), signed: false }) },
  bitsHigh: { hw: (a) => a.bits(a.width - 1, Math.floor(a.width / 2)), ref: (a) => ({ value: bits(a.value, a.width) >> BigInt(Math.floor(a.width / 2)), width: a.width - Math.floor(a.width / 2), signed: false }) },
  msb: { hw: (a) => a.msb(), ref: (a) => ({ value: (bits(a.value, a.width) >> BigInt(a.width - 1)) & 1n, width: 1, signed: false }) },
  cat: { hw: (a, b) => cat(a, b, a), ref: (a, b) => ({ value: (((bits(a.value, a.width) << BigInt(b.width)) | bits(b.value, b.width)) << BigInt(a.width)) | bits(a.value, a.width), width: 2 * a.width + b.width, signed: false }) },
  mux: { hw: (a, b, c) => mux(c, a, b), ref: (a, b, c) => ({ value: c.value ? a.value : b.value, width: W(a, b), signed: a.signed }), sameSign: true },
  andR: { hw: (a) => a.andR(), ref: (a) => ({ value: bits(a.value, a.width) === mask(a.width) ? 1n : 0n, width: 1, signed: false }) },
  orR: { hw: (a) => a.orR(), ref: (a) => ({ value: bits(a.value, a.width) !== 0n ? 1n : 0n, width: 1, signed: false }) },
  xorR: { hw: (a) => a.xorR(), ref: (a) => ({ value: BigInt([...bits(a.value, a.width).toString(2)].filter((x) => x === "1").length % 2), width: 1, signed: false }) },
  zext: { hw: (a) => a.zext(a.width + 5), ref: (a) => ({ value: fromBits(bits(a.value, a.width), a.width + 5, a.signed), width: a.width + 5, signed: a.signed }) },
  sext: { hw: (a) => a.sext(a.width + 5), ref: (a) => ({ value: wrap(fromBits(bits(a.value, a.width), a.width, true), a.width + 5, a.signed), width: a.width + 5, signed: a.signed }) },
  trunc: { hw: (a) => a.trunc(Math.max(1, a.width - 3)), ref: (a) => ({ value: wrap(a.value, Math.max(1, a.width - 3), a.signed), width: Math.max(1, a.width - 3), signed: a.signed }) },
  asUInt: { hw: (a) => a.asUInt(), ref: (a) => ({ value: bits(a.value, a.width), width: a.width, signed: false }) },
  asSInt: { hw: (a) => a.asSInt(), ref: (a) => ({ value: fromBits(bits(a.value, a.width), a.width, true), width: a.width, signed: true }) },
  literalAdd: { hw: (a) => a.addWrap(a.signed ? -3 : 5), ref: (a) => ({ value: wrap(a.value + (a.signed ? -3n : 5n), Math.max(a.width, a.signed ? 3 : 3), a.signed), width: Math.max(a.width, 3), signed: a.signed }) },
  nested: {
    hw: (a, b) => a.addWrap(b).shr(1).add(a.subWrap(b).mul(b)),
    ref: (a, b) => {
      const w = W(a, b);
      const left = floorDiv(wrap(a.value + b.value, w, a.signed), 2n);
      const right = wrap(a.value - b.value, w, a.signed) * b.value;
      return { value: left + right, width: Math.max(Math.max(w - 1, 1), w + b.width) + 1, signed: a.signed };
    },
    sameSign: true,
  },
};

function randomValue(r: () => number, width: number, signed: boolean): bigint {
  let b = 0n;
  for (let i = 0; i < width; i += 20) b = (b << 20n) | BigInt(Math.floor(r() * 2 ** 20));
  // Bias towards edge values: all zeros, all ones, the sign bit alone.
  const pick = r();
  if (pick < 0.1) b = 0n;
  else if (pick < 0.2) b = mask(width);
  else if (pick < 0.3) b = 1n << BigInt(width - 1);
  return fromBits(bits(b, width), width, signed);
}

describe("operators simulate as the width rules say", () => {
  for (let trial = 0; trial < 14; trial++) {
    it(`random widths, trial ${trial}`, async () => {
      const r = rng(1000 + trial);
      const signed = trial % 2 === 1;
      const wa = 1 + Math.floor(r() * (trial < 6 ? 20 : trial < 10 ? 70 : 200));
      const wb = 1 + Math.floor(r() * (trial < 6 ? 20 : trial < 10 ? 70 : 200));
      const T = (w: number) => (signed ? SInt(w) : UInt(w));
      const names = Object.keys(ops);
      const Dut = defineModule("OpsDut", () => {
        const a = Input(T(wa));
        const b = Input(T(wb));
        const c = Input(Bool());
        const s = Input(UInt(3));
        const outs: Record<string, unknown> = {};
        for (const n of names) {
          const v = ops[n]!.hw(a, b, c, s);
          const o = Output(v.signed ? SInt(v.width) : UInt(v.width), { name: `o_${n}` });
          o.assign(v);
          outs[n] = o;
        }
        return { a, b, c, s, outs };
      });
      const design = elaborate(Dut);
      const vectors: Vector[] = Array.from({ length: 40 }, () => ({
        a: randomValue(r, wa, signed),
        b: randomValue(r, wb, signed),
        c: BigInt(Math.floor(r() * 2)),
        s: BigInt(Math.floor(r() * 8)),
      }));
      if (trial % 3 === 0) await expectCleanVerilog(design.verilog, design.top);
      const icarus = runCombinational(design, vectors);
      const js = await runCombinationalJs(design, vectors);
      for (const [simulator, results] of [["iverilog", icarus], ["js", js]] as const) {
        expect(results).toHaveLength(vectors.length);
        vectors.forEach((v, i) => {
          const A = { value: v.a!, width: wa, signed };
          const B = { value: v.b!, width: wb, signed };
          const C = { value: v.c!, width: 1, signed: false };
          const S = { value: v.s!, width: 3, signed: false };
          for (const n of names) {
            const port = design.ports.find((p) => p.name === `o_${n}`)!;
            const want = ops[n]!.ref(A, B, C, S);
            expect({ op: n, width: port.width, signed: port.signed }).toEqual({ op: n, width: want.width, signed: want.signed });
            expect({ simulator, op: n, a: v.a, b: v.b, c: v.c, s: v.s, got: results[i]![`o_${n}`] }).toEqual({ simulator, op: n, a: v.a, b: v.b, c: v.c, s: v.s, got: bits(want.value, want.width) });
          }
        });
      }
    });
  }
});
