/**
 * The sequential helpers of hdl/lib (Counter, CounterChain, ShiftRegister, Pipe, Lfsr) against
 * TypeScript models on random enables, on both simulators; the LFSR table checked to be
 * maximal-length (order test over GF(2)) and the LFSR's period measured in simulation.
 */
import { describe, expect, it } from "vitest";
import { Bool, Input, Output, UInt, defineModule, elaborate } from "../../hdl/core";
import { LFSR_TAPS, Counter, CounterChain, Lfsr, lfsrStep, Pipe, ShiftRegister } from "../../hdl/lib";
import { rng } from "../helpers/rng";
import { expectCleanVerilog } from "../helpers/verilog-tools";
import { BACKENDS, expectCycles } from "./harness";

const Seq = defineModule("LibSeq", () => {
  const en = Input(Bool());
  const x = Input(UInt(8));
  const v = Input(Bool());
  const c5 = Output(UInt(3));
  const c5wrap = Output(Bool());
  const c8 = Output(UInt(3));
  const chain = Output(UInt(6));
  const chainDone = Output(Bool());
  const d3 = Output(UInt(8));
  const d2en = Output(UInt(8));
  const pv = Output(Bool());
  const pb = Output(UInt(8));
  const rnd = Output(UInt(7));
  const a = Counter({ wrap: 5, enable: en, name: "c5" });
  c5.assign(a.value);
  c5wrap.assign(a.wrap);
  c8.assign(Counter({ wrap: 8, enable: en, init: 3, name: "c8" }).value);
  const ch = CounterChain([3, 4, 2], { enable: en, name: "loop" });
  chain.assign(ch.counters[2]!.value.zext(2).shl(4).or(ch.counters[1]!.value.zext(2).shl(2)).or(ch.counters[0]!.value.zext(2)).resize(6));
  chainDone.assign(ch.done);
  d3.assign(ShiftRegister(x, 3, { init: 0, name: "d3" }));
  d2en.assign(ShiftRegister(x, 2, { enable: en, init: 0, name: "d2en" }));
  const p = Pipe({ valid: v, bits: x }, 2);
  pv.assign(p.valid);
  pb.assign(p.bits);
  rnd.assign(Lfsr(7, { seed: 5, enable: en }));
  return { en, x, v, c5, c5wrap, c8, chain, chainDone, d3, d2en, pv, pb, rnd };
});

/** GF(2) primitivity of x^n + sum x^t + 1 by the order test (an independent check of LFSR_TAPS). */
function isPrimitive(n: number, taps: readonly number[]): boolean {
  let p = (1n << BigInt(n)) | 1n;
  for (const t of taps.slice(1)) p |= 1n << BigInt(t);
  const top = 1n << BigInt(n);
  const mul = (a: bigint, b: bigint): bigint => {
    let r = 0n;
    while (b) {
      if (b & 1n) r ^= a;
      b >>= 1n;
      a <<= 1n;
      if (a & top) a ^= p;
    }
    return r;
  };
  const pow = (e: bigint): bigint => {
    let r = 1n;
    let b = 2n;
    while (e) {
      if (e & 1n) r = mul(r, b);
      b = mul(b, b);
      e >>= 1n;
    }
    return r;
  };
  const N = top - 1n;
  if (pow(N) !== 1n) return false;
  // prime factors of 2^n - 1 by trial division up to 2^22, then the cofactor is prime or 1 for
  // n <= 64 except where a second large factor exists: those n are checked by Pollard's rho
  const factors = new Set<bigint>();
  let m = N;
  for (let q = 2n; q * q <= m && q < 1n << 22n; q += q === 2n ? 1n : 2n) while (m % q === 0n) (factors.add(q), (m /= q));
  const rho = (k: bigint): bigint => {
    for (let c = 1n; ; c++) {
      let x = 2n;
      let y = 2n;
      let d = 1n;
      const f = (z: bigint): bigint => (z * z + c) % k;
      const g = (a: bigint, b: bigint): bigint => (b === 0n ? a : g(b, a % b));
      while (d === 1n) {
        x = f(x);
        y = f(f(y));
        d = g(x > y ? x - y : y - x, k);
      }
      if (d !== k) return d;
    }
  };
  const split = (k: bigint): void => {
    if (k === 1n) return;
    if (pow2Probable(k)) factors.add(k);
    else {
      const d = rho(k);
      split(d);
      split(k / d);
    }
  };
  split(m);
  return [...factors].every((q) => pow(N / q) !== 1n);
}

/** Miller-Rabin with fixed bases (exact below 3.3e24, enough for the cofactors of 2^n - 1, n <= 64). */
function pow2Probable(n: bigint): boolean {
  const mp = (b: bigint, e: bigint): bigint => {
    let r = 1n;
    b %= n;
    while (e) {
      if (e & 1n) r = (r * b) % n;
      b = (b * b) % n;
      e >>= 1n;
    }
    return r;
  };
  let d = n - 1n;
  let s = 0;
  while (!(d & 1n)) (d >>= 1n, s++);
  for (const a of [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n]) {
    if (a % n === 0n) continue;
    let x = mp(a, d);
    if (x === 1n || x === n - 1n) continue;
    let ok = false;
    for (let i = 1; i < s && !ok; i++) {
      x = (x * x) % n;
      ok = x === n - 1n;
    }
    if (!ok) return false;
  }
  return true;
}

describe("hdl/lib counters, delays and LFSR", () => {
  const d = elaborate(Seq, undefined);
  const r = rng(21);
  const stim = Array.from({ length: 300 }, () => ({ en: r() < 0.7 ? 1 : 0, x: Math.floor(r() * 256), v: r() < 0.5 ? 1 : 0 }));
  // model
  let c5 = 0;
  let c8 = 3;
  let ch = [0, 0, 0];
  const xs: number[] = [];
  let dEn = [0, 0];
  const vs: { v: number; x: number }[] = [{ v: 0, x: 0 }, { v: 0, x: 0 }];
  let state = 5n;
  const want = stim.map((s) => {
    const out = {
      c5,
      c5wrap: s.en && c5 === 4 ? 1 : 0,
      c8,
      chain: (ch[2]! << 4) | (ch[1]! << 2) | ch[0]!,
      chainDone: s.en && ch[0] === 2 && ch[1] === 3 && ch[2] === 1 ? 1 : 0,
      d3: xs.length >= 3 ? xs[xs.length - 3]! : 0,
      d2en: dEn[1]!,
      pv: vs[vs.length - 2]!.v,
      ...(vs[vs.length - 2]!.v ? { pb: vs[vs.length - 2]!.x } : {}),
      rnd: Number(state),
    };
    if (s.en) {
      c5 = (c5 + 1) % 5;
      c8 = (c8 + 1) % 8;
      ch = ch[0] === 2 ? (ch[1] === 3 ? [0, 0, (ch[2]! + 1) % 2] : [0, ch[1]! + 1, ch[2]!]) : [ch[0]! + 1, ch[1]!, ch[2]!];
      dEn = [s.x, dEn[0]!];
      state = lfsrStep(state, 7);
    }
    xs.push(s.x);
    vs.push({ v: s.v, x: s.x });
    return out;
  });
  for (const backend of BACKENDS) it(`${backend}: against the model, 300 cycles of random enables`, () => expectCycles(d, stim, want, backend));
  it("is clean in iverilog, Verilator and Yosys", () => expectCleanVerilog(d.verilog, d.top));

  it("every LFSR_TAPS entry (2..64 bits) is a primitive polynomial, so every LFSR is maximal-length", () => {
    for (let n = 2; n <= 64; n++) expect(isPrimitive(n, LFSR_TAPS[n]!), `width ${n}`).toBe(true);
    // a non-primitive polynomial is caught: x^4 + x^2 + 1 = (x^2 + x + 1)^2
    expect(isPrimitive(4, [4, 2])).toBe(false);
  });

  it("the period of the model is 2^n - 1 for n = 2..16, and the RTL follows the model (10-bit, 1023 steps, Icarus)", async () => {
    for (let n = 2; n <= 16; n++) {
      let s = 1n;
      let period = 0;
      do {
        s = lfsrStep(s, n);
        period++;
      } while (s !== 1n && period <= 2 ** n);
      expect(period, `width ${n}`).toBe(2 ** n - 1);
    }
    const L10 = defineModule("Lfsr10", () => {
      const q = Output(UInt(10));
      q.assign(Lfsr(10));
      return { q };
    });
    let s = 1n;
    const want10 = Array.from({ length: 1023 }, () => {
      const q = Number(s);
      s = lfsrStep(s, 10);
      return { q };
    });
    await expectCycles(elaborate(L10, undefined), want10.map(() => ({})), want10, "iverilog");
  });

  it("rejects widths outside 2..64 and a zero seed", () => {
    const Bad = (w: number, seed?: number) =>
      defineModule("BadLfsr", () => {
        const q = Output(UInt(8));
        q.assign(Lfsr(w, seed === undefined ? {} : { seed }).resize(8));
        return { q };
      });
    // HdlErrors naming the line that called Lfsr, not a line inside hdl/lib
    expect(() => elaborate(Bad(1), undefined)).toThrow(/^test\/lib\/sequential\.test\.ts:\d+: Lfsr: width must be an integer from 2 to 64, got 1$/);
    expect(() => elaborate(Bad(8, 0), undefined)).toThrow(/^test\/lib\/sequential\.test\.ts:\d+: Lfsr: seed must be a nonzero 8-bit value, got 0$/);
  });

  it("argument errors of the counters name the caller's line", () => {
    const BadCount = (wrap: number, names?: string[]) =>
      defineModule("BadCount", () => {
        const q = Output(UInt(8));
        q.assign(names ? CounterChain([wrap, 3], { name: names }).counters[0]!.value.resize(8) : Counter({ wrap }).value.resize(8));
        return { q };
      });
    expect(() => elaborate(BadCount(0), undefined)).toThrow(/^test\/lib\/sequential\.test\.ts:\d+: Counter: wrap must be a positive integer, got 0$/);
    expect(() => elaborate(BadCount(4, ["a"]), undefined)).toThrow(/^test\/lib\/sequential\.test\.ts:\d+: CounterChain: 1 names for 2 counters$/);
  });
});
