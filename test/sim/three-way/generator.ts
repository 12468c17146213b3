/**
 * Random designs from a recipe, built with the language's own builder: expression trees over
 * every operator (signed and unsigned, 1 to 200 bits), WireDefault wires overridden under nested
 * when / elsewhen / otherwise and switchOn (last connect wins), an Enum state register, registers
 * with and without init and enable, memories (initial contents, one or two write ports, a
 * synchronous and an asynchronous read), Vec and Bundle values, library blocks, and child modules
 * (a Vec input and a Bundle output) instantiated once or twice, several levels deep.
 *
 * So that Icarus has no X to show after reset: registers without init read only inputs and
 * registers with init, memories start with contents and are not written during reset, and the
 * run holds reset for RESET_CYCLES edges (enough for every level of hierarchy to fill).
 */
import {
  Bool, Bundle, Enum, Input, Mem, Output, Reg, SInt, Signal, UInt, Vec, Wire, WireDefault, cat, constant, defineModule, enumValue, implicitReset, mux, switchOn, when,
  type ModuleDef,
} from "../../../hdl/core/index";
import { Counter, Lfsr, PopCount, PriorityEncoder, ShiftRegister, UIntToOH } from "../../../hdl/lib/index";
import { partRng, type Recipe, type Rng } from "./recipe";

export const RESET_CYCLES = 5;

type Ground = ReturnType<typeof UInt> | ReturnType<typeof SInt>;
interface Shape { readonly width: number; readonly signed: boolean }

const typeOf = (t: Shape): Ground => (t.signed ? SInt(t.width) : UInt(t.width));

function randomShape(r: Rng, maxWidth: number): Shape {
  const k = r.int(20);
  const w = k < 12 ? 1 + r.int(16) : k < 17 ? 17 + r.int(48) : 65 + r.int(136);
  return { width: Math.max(1, Math.min(maxWidth, w)), signed: r.int(3) === 0 };
}

/** Resize and convert signedness so `s` can drive a target of this shape. */
export function fit(s: Signal, t: Shape): Signal {
  const v = s.resize(t.width);
  return t.signed ? v.asSInt() : v.asUInt();
}

function sameSign(a: Signal, b: Signal): Signal {
  return a.signed === b.signed ? b : a.signed ? b.asSInt() : b.asUInt();
}

class Exprs {
  constructor(
    private readonly r: Rng,
    private readonly pool: readonly Signal[],
    private readonly maxWidth: number,
  ) {}

  private cap(s: Signal): Signal {
    return s.width > this.maxWidth ? s.trunc(Math.max(1, this.maxWidth)) : s;
  }

  leaf(): Signal {
    const r = this.r;
    if (r.int(8) === 0 || this.pool.length === 0) {
      const w = 1 + r.int(Math.min(this.maxWidth, r.int(4) === 0 ? 90 : 12));
      if (r.int(3) === 0) return constant(BigInt(r.signed(Math.min(w, 30))), SInt(w));
      return constant(r.bits(w), UInt(w));
    }
    return this.pool[r.int(this.pool.length)]!;
  }

  expr(depth: number): Signal {
    const r = this.r;
    if (depth <= 0 || r.int(5) === 0) return this.leaf();
    const a = this.expr(depth - 1);
    const b = (): Signal => sameSign(a, this.expr(depth - 1));
    switch (r.int(24)) {
      case 0: return this.cap(a.add(b()));
      case 1: return this.cap(a.sub(b()));
      case 2: return a.addWrap(b());
      case 3: return a.subWrap(b());
      case 4: {
        const x = a.width > 100 ? a.trunc(100) : a;
        const y = sameSign(x, this.expr(depth - 1));
        return this.cap(x.mul(y.width > 100 ? y.trunc(100) : y));
      }
      case 5: return a.and(b());
      case 6: return a.or(b());
      case 7: return a.xor(b());
      case 8: return [a.eq(b()), a.neq(b()), a.lt(b()), a.le(b()), a.gt(b()), a.ge(b())][r.int(6)]!;
      case 9: return a.not();
      case 10: return this.cap(a.neg());
      case 11: return [a.andR(), a.orR(), a.xorR()][r.int(3)]!;
      case 12: return this.cap(a.shl(r.int(9)));
      case 13: return a.shr(r.int(a.width + 3));
      case 14: {
        const amt = this.leaf().asUInt();
        return this.cap(a.shl(amt.width > 4 ? amt.trunc(4) : amt));
      }
      case 15: {
        const amt = this.leaf().asUInt();
        return a.shr(amt.width > 8 ? amt.trunc(8) : amt);
      }
      case 16: {
        const lo = r.int(a.width);
        return a.bits(lo + r.int(a.width - lo), lo);
      }
      case 17: return this.cap(cat(a, this.expr(depth - 1)));
      case 18: return mux(this.expr(depth - 1).orR(), a, b());
      case 19: return this.cap(r.int(2) ? a.sext(a.width + r.int(40)) : a.zext(a.width + r.int(40)));
      case 20: return r.int(2) ? a.asSInt() : a.asUInt();
      case 21: return a.bit(r.int(a.width));
      case 22: return this.cap(a.resize(1 + r.int(this.maxWidth)));
      default: return a.msb();
    }
  }

  cond(depth: number): Signal {
    return this.expr(depth).orR();
  }
}

type Assignable = Signal & { assign(v: Signal): void };

/**
 * Connects `target` under a random statement tree: nested when / elsewhen / otherwise and
 * switchOn, some paths leaving it alone (for a wire: its default; for a register: its value).
 */
function assignTree(r: Rng, e: Exprs, target: Assignable, shape: Shape, depth: number, levels: number, lastWins: boolean): void {
  const value = (): Signal => fit(e.expr(depth), shape);
  const body = (): void => {
    if (levels > 0 && r.int(2) === 0) assignTree(r, e, target, shape, depth, levels - 1, true);
    else if (r.int(4) !== 0) target.assign(value());
  };
  switch (r.int(4)) {
    case 0:
      when(e.cond(2), body);
      break;
    case 1:
      when(e.cond(2), body).otherwise(body);
      break;
    case 2:
      when(e.cond(2), body).elsewhen(e.cond(2), body).otherwise(body);
      break;
    default: {
      const sel = fit(e.expr(1), { width: 2, signed: false });
      switchOn(sel).is(0, body).is([1, 2], body).default(body);
    }
  }
  if (lastWins && r.int(3) === 0) target.assign(value()); // a later connection wins over all of the above
}

const State = Enum("State", ["idle", "load", "run", "drain", "halt"]);

interface ChildParams { readonly recipe: Recipe; readonly level: number }

/** A module of the hierarchy: the design's top (level 0) or a child with a Vec input and a Bundle output. */
export const RandomModule: ModuleDef<ChildParams, Record<string, Signal>> = defineModule("Rnd", (p: ChildParams) => {
  const { recipe } = p;
  const seed = recipe.seed * 31 + p.level;
  const R = (part: string, i = 0): Rng => partRng(seed, part, i);
  const maxW = recipe.maxWidth;
  const io: Record<string, Signal> = {};
  const pool: Signal[] = [];
  for (let i = 0; i < recipe.inputs; i++) {
    const s = Input(typeOf(randomShape(R("in", i), maxW)), { name: `in${i}` }) as Signal;
    io[`in${i}`] = s;
    pool.push(s);
  }
  if (p.level > 0) {
    const w = 1 + R("vec").int(Math.min(maxW, 24));
    const v = Input(Vec(3, UInt(w)));
    io.vec = v as unknown as Signal;
    for (let i = 0; i < 3; i++) pool.push(v.at(i));
    pool.push(v.at(fit(pool[0]!, { width: 2, signed: false })));
  }
  // Registers with init, then the safe pool (inputs and these registers) for the rest.
  const regs: { reg: Assignable; shape: Shape }[] = [];
  for (let i = 0; i < recipe.regs; i++) {
    const r = R("reg", i);
    const shape = randomShape(r, maxW);
    const init = shape.signed ? BigInt(r.signed(Math.min(shape.width, 30))) : r.bits(shape.width);
    const enable = r.int(3) === 0 ? new Exprs(r, pool, maxW).cond(1) : undefined;
    const reg = Reg(typeOf(shape), { name: `r${i}`, init, ...(enable ? { enable } : {}) }) as unknown as Assignable;
    regs.push({ reg, shape });
  }
  const state = Reg(State.type, { init: State.code("idle") });
  pool.push(...regs.map((x) => x.reg), state);
  const safe = [...pool];
  for (let i = 0; i < recipe.plainRegs; i++) {
    const r = R("plain", i);
    const shape = randomShape(r, maxW);
    const reg = Reg(typeOf(shape), { name: `p${i}` }) as unknown as Assignable;
    reg.assign(fit(new Exprs(r, safe, maxW).expr(recipe.depth), shape));
    pool.push(reg);
  }
  for (let i = 0; i < recipe.mems; i++) {
    const r = R("mem", i);
    const shape = randomShape(r, Math.min(maxW, 130));
    const depth = [2, 3, 8, 10, 16, 33][r.int(6)]!;
    const bits = Math.max(1, Math.ceil(Math.log2(depth)));
    const init = Array.from({ length: depth }, () => (shape.signed ? BigInt(r.signed(Math.min(shape.width, 30))) : r.bits(shape.width)));
    const mem = Mem(depth, typeOf(shape), { init, name: `m${i}` });
    const e = new Exprs(r, pool, maxW);
    // An input in every address, so that none is a constant past the depth (an elaboration error).
    const addr = (): Signal => fit(e.expr(1), { width: bits, signed: false }).xor(fit(pool[0]!, { width: bits, signed: false }));
    const notReset = implicitReset().not();
    const ports = 1 + r.int(2);
    for (let k = 0; k < ports; k++) {
      const en = e.cond(1).and(notReset);
      if (r.int(2)) mem.write(addr(), fit(e.expr(2), shape), { enable: en });
      else when(en, () => mem.write(addr(), fit(e.expr(2), shape)));
    }
    const safeAddr = fit(new Exprs(r, safe, maxW).expr(1), { width: bits, signed: false }).xor(fit(pool[0]!, { width: bits, signed: false }));
    pool.push(mem.readSync(safeAddr), mem.readAsync(addr()));
  }
  for (let i = 0; i < recipe.lib; i++) {
    const r = R("lib", i);
    const e = new Exprs(r, pool, maxW);
    const x = e.expr(2).asUInt();
    switch (r.int(6)) {
      case 0: pool.push(ShiftRegister(x, 1 + r.int(3), { init: 0, ...(r.int(2) ? { enable: e.cond(1) } : {}) })); break;
      case 1: pool.push(PopCount(x)); break;
      case 2: pool.push(PriorityEncoder(x.width > 1 ? x : cat(x, x))); break;
      case 3: pool.push(Counter({ wrap: 1 + r.int(20), enable: e.cond(1) }).value); break;
      case 4: pool.push(Lfsr([4, 8, 16, 31][r.int(4)]!, { enable: e.cond(1) })); break;
      default: pool.push(UIntToOH(fit(x, { width: 3, signed: false }), 8)); break;
    }
  }
  if (recipe.levels > 0) {
    // Children are smaller: the hierarchy is what they test.
    const childRecipe: Recipe = {
      ...recipe,
      inputs: 1 + R("child").int(2),
      outputs: 1 + R("child", 1).int(2),
      levels: recipe.levels - 1,
      wires: Math.min(recipe.wires, 1),
      regs: Math.min(recipe.regs, 1),
      plainRegs: Math.min(recipe.plainRegs, 1),
      mems: Math.min(recipe.mems, recipe.levels > 1 ? 0 : 1),
      lib: 0,
      depth: Math.min(recipe.depth, 2),
    };
    for (let c = 0; c < recipe.copies; c++) {
      const inst = RandomModule.instance({ recipe: childRecipe, level: p.level + 1 }, { name: `sub${c}` });
      const e = new Exprs(R("inst", c), pool, maxW);
      for (const [name, port] of Object.entries(inst)) {
        if (name.startsWith("in")) (port as Assignable).assign(fit(e.expr(2), port));
        else if (name === "vec") {
          const v = port as unknown as { at(i: number): Assignable };
          for (let k = 0; k < 3; k++) v.at(k).assign(fit(e.expr(1), v.at(k)));
        } else if (name === "rec") {
          const b = port as unknown as { a: Signal; b: Signal };
          pool.push(b.a, b.b);
        } else pool.push(port);
      }
    }
  }
  const e = new Exprs(R("logic"), pool, maxW);
  for (let i = 0; i < recipe.wires; i++) {
    const r = R("wire", i);
    const shape = randomShape(r, maxW);
    const w = WireDefault(fit(e.expr(recipe.depth), shape), { name: `w${i}` }) as unknown as Assignable;
    assignTree(r, new Exprs(r, pool, maxW), w, shape, recipe.depth, 2, false);
    pool.push(w);
  }
  // A Vec wire written through a dynamic index, and the Enum state machine.
  const vw = 1 + R("vecw").int(Math.min(maxW, 40));
  const table = Wire(Vec(4, UInt(vw)));
  for (let k = 0; k < 4; k++) table.at(k).assign(fit(e.expr(2), { width: vw, signed: false }));
  pool.push(table.at(fit(e.expr(1), { width: 2, signed: false })));
  switchOn(state)
    .is(enumValue(State, "idle"), () => when(e.cond(2), () => state.assign(enumValue(State, "load"))))
    .is(enumValue(State, "load"), () => state.assign(enumValue(State, "run")))
    .is(enumValue(State, "run"), () => when(e.cond(2), () => state.assign(enumValue(State, "drain"))).elsewhen(e.cond(2), () => state.assign(enumValue(State, "halt"))))
    .default(() => state.assign(enumValue(State, "idle")));
  regs.forEach(({ reg, shape }, i) => assignTree(R("regtree", i), new Exprs(R("regs", i), pool, maxW), reg, shape, recipe.depth, 2, true));
  for (let i = 0; i < recipe.outputs; i++) {
    const r = R("out", i);
    const shape = randomShape(r, maxW);
    const o = Output(typeOf(shape), { name: `out${i}` }) as unknown as Assignable;
    o.assign(fit(new Exprs(r, pool, maxW).expr(recipe.depth), shape));
    io[`out${i}`] = o;
  }
  if (p.level > 0) {
    const rec = Output(Bundle({ a: UInt(Math.min(maxW, 9)), b: Bool() }));
    rec.a.assign(fit(e.expr(2), { width: Math.min(maxW, 9), signed: false }));
    rec.b.assign(e.cond(1));
    io.rec = rec as unknown as Signal;
  }
  return io;
});
