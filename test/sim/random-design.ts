/**
 * Random designs built with the language's own builder: random expression trees
 * over random inputs, registers (with and without enable, some under when/otherwise)
 * and a child module instance. Used to compare Icarus and Verilator on the
 * emitted Verilog.
 */
import { Input, Output, Reg, SInt, Signal, UInt, cat, constant, defineModule, elaborate, mux, when, type ModuleDef } from "../../hdl/core/index";
import type { ElaboratedDesign } from "../../hdl/core/design";
import { rng } from "./models";

type Rng = ReturnType<typeof rng>;

const MAX_WIDTH = 100;

function sameSign(a: Signal, b: Signal): Signal {
  return a.signed === b.signed ? b : a.signed ? b.asSInt() : b.asUInt();
}

function capped(s: Signal, r: Rng): Signal {
  return s.width > MAX_WIDTH ? s.trunc(1 + r.int(72)) : s;
}

/** Resize and convert signedness so `s` can drive a `width`-bit target of that signedness. */
export function fit(s: Signal, width: number, signed: boolean): Signal {
  const v = s.resize(width);
  return signed ? v.asSInt() : v.asUInt();
}

function expr(r: Rng, pool: readonly Signal[], depth: number): Signal {
  if (depth <= 0 || r.int(5) === 0) {
    if (r.int(8) === 0) {
      const w = 1 + r.int(12);
      if (r.int(3) === 0) {
        const v = r.int(2 ** w) - 2 ** (w - 1);
        return constant(v, SInt(w));
      }
      return constant(r.int(2 ** w), UInt(w));
    }
    return pool[r.int(pool.length)]!;
  }
  const a = expr(r, pool, depth - 1);
  const pick = r.int(22);
  const b = (): Signal => sameSign(a, expr(r, pool, depth - 1));
  switch (pick) {
    case 0:
      return capped(a.add(b()), r);
    case 1:
      return capped(a.sub(b()), r);
    case 2:
      return a.addWrap(b());
    case 3:
      return a.subWrap(b());
    case 4: {
      const x = a.width > 24 ? a.trunc(24) : a;
      const y = sameSign(x, expr(r, pool, depth - 1));
      return capped(x.mul(y.width > 24 ? y.trunc(24) : y), r);
    }
    case 5:
      return a.and(b());
    case 6:
      return a.or(b());
    case 7:
      return a.xor(b());
    case 8:
      return [a.eq(b()), a.neq(b()), a.lt(b()), a.le(b()), a.gt(b()), a.ge(b())][r.int(6)]!;
    case 9:
      return a.not();
    case 10:
      return capped(a.neg(), r);
    case 11:
      return [a.andR(), a.orR(), a.xorR()][r.int(3)]!;
    case 12:
      return capped(a.shl(r.int(6)), r);
    case 13:
      return a.shr(r.int(Math.min(6, a.width)));
    case 14: {
      const amt = expr(r, pool, 0).asUInt();
      return capped(a.shl(amt.width > 3 ? amt.trunc(3) : amt), r);
    }
    case 15: {
      const amt = expr(r, pool, 0).asUInt();
      return a.shr(amt.width > 4 ? amt.trunc(4) : amt);
    }
    case 16: {
      const lo = r.int(a.width);
      const hi = lo + r.int(a.width - lo);
      return a.bits(hi, lo);
    }
    case 17:
      return capped(cat(a, expr(r, pool, depth - 1)), r);
    case 18: {
      const c = expr(r, pool, depth - 1);
      return mux(c.orR(), a, b());
    }
    case 19:
      return capped(r.int(2) ? a.sext(a.width + r.int(9)) : a.zext(a.width + r.int(9)), r);
    case 20:
      return r.int(2) ? a.asSInt() : a.asUInt();
    default:
      return a.resize(1 + r.int(40));
  }
}

function randomType(r: Rng): { width: number; signed: boolean } {
  const width = r.int(10) === 0 ? 65 + r.int(40) : 1 + r.int(r.int(2) ? 16 : 48);
  return { width, signed: r.int(3) === 0 };
}
const typeOf = (t: { width: number; signed: boolean }): ReturnType<typeof UInt> | ReturnType<typeof SInt> => (t.signed ? SInt(t.width) : UInt(t.width));

/** A random module generator for `seed`. */
export function randomModule(seed: number): ModuleDef<undefined, Record<string, Signal>> {
  const child = defineModule(`RandChild${seed}`, () => {
    const r = rng(seed * 7 + 3);
    const x = Input(typeOf(randomType(r)));
    const y = Input(typeOf(randomType(r)));
    const acc = Reg(UInt(12), { init: 5 });
    const pool = [x, y, acc];
    acc.assign(fit(expr(r, pool, 3), 12, false));
    const t = randomType(r);
    const z = Output(typeOf(t));
    z.assign(fit(expr(r, pool, 3), t.width, t.signed));
    return { x, y, z };
  });
  return defineModule(`Rand${seed}`, () => {
    const r = rng(seed);
    const io: Record<string, Signal> = {};
    const pool: Signal[] = [];
    const nIn = 2 + r.int(5);
    for (let i = 0; i < nIn; i++) {
      const s = Input(typeOf(randomType(r)), { name: `in${i}` });
      io[`in${i}`] = s;
      pool.push(s);
    }
    const regs: Signal[] = [];
    const nReg = 1 + r.int(4);
    for (let i = 0; i < nReg; i++) {
      const t = randomType(r);
      const enable = r.int(3) === 0 ? pool[r.int(pool.length)]!.orR() : undefined;
      const init = t.signed && t.width === 1 ? -r.int(2) : r.int(2);
      const reg = Reg(typeOf(t), { name: `r${i}`, init, ...(enable ? { enable } : {}) });
      regs.push(reg);
    }
    pool.push(...regs);
    const inst = child.instance(undefined, { name: "sub" });
    inst.x.assign(fit(expr(r, pool, 2), inst.x.width, inst.x.signed));
    inst.y.assign(fit(expr(r, pool, 2), inst.y.width, inst.y.signed));
    pool.push(inst.z);
    for (const reg of regs) {
      const v = (): Signal => fit(expr(r, pool, 4), reg.width, reg.signed);
      const target = reg as Signal & { assign(v: Signal): void };
      if (r.int(2)) {
        const c = expr(r, pool, 2).orR();
        when(c, () => target.assign(v())).otherwise(() => target.assign(v()));
      } else target.assign(v());
    }
    const nOut = 2 + r.int(5);
    for (let i = 0; i < nOut; i++) {
      const t = randomType(r);
      const o = Output(typeOf(t), { name: `out${i}` });
      o.assign(fit(expr(r, pool, 4), t.width, t.signed));
      io[`out${i}`] = o;
    }
    return io;
  });
}

export function randomDesign(seed: number): ElaboratedDesign {
  return elaborate(randomModule(seed));
}
