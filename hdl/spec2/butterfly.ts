/**
 * The radix-2 decimation-in-frequency butterfly of the golden model (butterflyFixed in
 * spectral/fixed/primitives.ts), with 1/2 scaling:
 *
 *   top = saturate(roundShift(a + b, 1), dataBits)
 *   bot = saturate(roundShift((a - b) * W, F + 1), dataBits)
 *
 * on the real and imaginary parts separately, with the complex product exact and rounded once.
 *
 * A constant twiddle costs what it has to:
 *   - W = (+-2^F, 0) and (0, +-2^F) need no multiplier: roundShift(d * 2^F, F + 1) equals
 *     roundShift(d, 1) exactly (the low F bits of d * 2^F are zero), so the product is a
 *     (possibly negated) swap of d's parts, rounded by one bit.
 *   - W = (w, w) or (w, -w) (the 45-degree twiddles) needs one constant multiplier per part:
 *     dr*w - di*(-w) = (dr + di)*w and so on, still the exact product.
 *   - any other constant: four constant multipliers (exact, then rounded once).
 * A twiddle given as signals (a ROM output, say) uses four general multipliers.
 */
import { Input, Output, defineModule, isMain, printVerilog, type Signal } from "../core";
import { ComplexT, roundShift, saturate, type Complex } from "./fixed";

export interface ButterflyOpts {
  /** data word width (signed), for the inputs and the outputs */
  readonly dataBits: number;
  /** twiddle fraction bits F (+1.0 = 2^F) */
  readonly twiddleFrac: number;
}

/** A twiddle: integer constants [re, im] (as twiddleFixed returns them) or signals. */
export type Twiddle = readonly [number, number] | Complex;

function isConst(w: Twiddle): w is readonly [number, number] {
  return Array.isArray(w);
}

/** The exact product d * W for a constant W off the axes. */
function constProduct(d: Complex, wr: number, wi: number): Complex {
  if (wr === wi) {
    // (dr + j di)(w + j w) = (dr - di) w + j (dr + di) w
    return { re: d.re.sub(d.im).mul(wr), im: d.re.add(d.im).mul(wr) };
  }
  if (wr === -wi) {
    // (dr + j di)(w - j w) = (dr + di) w + j (di - dr) w
    return { re: d.re.add(d.im).mul(wr), im: d.im.sub(d.re).mul(wr) };
  }
  return { re: d.re.mul(wr).sub(d.im.mul(wi)), im: d.re.mul(wi).add(d.im.mul(wr)) };
}

/**
 * One butterfly over signals: a and b are complex words of `dataBits` bits (narrower
 * signed values are fine). Returns { top, bot }, each `dataBits` wide. Combinational.
 */
export function butterfly(a: Complex, b: Complex, w: Twiddle, opts: ButterflyOpts): { top: Complex; bot: Complex } {
  const { dataBits: n, twiddleFrac: F } = opts;
  const one = 2 ** F;
  const sat1 = (x: Signal): Signal => saturate(roundShift(x, 1), n);
  const top = { re: sat1(a.re.add(b.re)), im: sat1(a.im.add(b.im)) };
  const d = { re: a.re.sub(b.re), im: a.im.sub(b.im) };
  let bot: Complex;
  if (isConst(w)) {
    const [wr, wi] = w;
    if (!Number.isInteger(wr) || !Number.isInteger(wi)) throw new RangeError(`butterfly: twiddle (${wr}, ${wi}) must be integers`);
    if (wr === one && wi === 0) bot = { re: sat1(d.re), im: sat1(d.im) };
    else if (wr === -one && wi === 0) bot = { re: sat1(d.re.neg()), im: sat1(d.im.neg()) };
    // (dr + j di)(-j) = di - j dr
    else if (wr === 0 && wi === -one) bot = { re: sat1(d.im), im: sat1(d.re.neg()) };
    // (dr + j di)(+j) = -di + j dr
    else if (wr === 0 && wi === one) bot = { re: sat1(d.im.neg()), im: sat1(d.re) };
    else {
      const p = constProduct(d, wr, wi);
      bot = { re: saturate(roundShift(p.re, F + 1), n), im: saturate(roundShift(p.im, F + 1), n) };
    }
  } else {
    const p = { re: d.re.mul(w.re).sub(d.im.mul(w.im)), im: d.re.mul(w.im).add(d.im.mul(w.re)) };
    bot = { re: saturate(roundShift(p.re, F + 1), n), im: saturate(roundShift(p.im, F + 1), n) };
  }
  return { top, bot };
}

export interface ButterflyParams extends ButterflyOpts {
  /** constant twiddle [re, im]; omit for twiddle input ports `w_re`, `w_im` (SInt(F + 2)) */
  readonly twiddle?: readonly [number, number];
}

/** The butterfly as a combinational module: ports a, b, (w), top, bot (ComplexT(dataBits)). */
export const Butterfly = defineModule("Butterfly", (p: ButterflyParams) => {
  const a = Input(ComplexT(p.dataBits));
  const b = Input(ComplexT(p.dataBits));
  const w = p.twiddle === undefined ? Input(ComplexT(p.twiddleFrac + 2)) : undefined;
  const top = Output(ComplexT(p.dataBits));
  const bot = Output(ComplexT(p.dataBits));
  const r = butterfly(a, b, w ?? p.twiddle!, p);
  top.re.assign(r.top.re);
  top.im.assign(r.top.im);
  bot.re.assign(r.bot.re);
  bot.im.assign(r.bot.im);
  return w === undefined ? { a, b, top, bot } : { a, b, w, top, bot };
}, {
  moduleName: (p) =>
    `Butterfly_d${p.dataBits}_f${p.twiddleFrac}` +
    (p.twiddle === undefined ? "_var" : `_w${p.twiddle.map((x) => (x < 0 ? `m${-x}` : `${x}`)).join("_")}`),
});

if (isMain(import.meta.url)) printVerilog(Butterfly, { dataBits: 16, twiddleFrac: 14, twiddle: [11585, -11585] });
