/**
 * Integer primitives of the fixed-point golden model. Every one of these has a hardware
 * counterpart that is tested against it individually; see spectral/README.md
 * ("Fixed-point golden model") for the widths and why no value here exceeds 2^53.
 *
 * All values are JS numbers holding exact integers (|x| < 2^53 is asserted where it matters).
 */

const TWO53 = 2 ** 53;

function checkInt(x: number, what: string): void {
  if (!Number.isInteger(x) || Math.abs(x) >= TWO53) throw new Error(`${what} = ${x} is not an exact integer below 2^53`);
}

/**
 * Arithmetic right shift with round-half-up: floor((x + 2^(s-1)) / 2^s) for s > 0, x for s = 0.
 * (Ties go towards +infinity: roundShift(-3, 1) = -1, roundShift(3, 1) = 2.)
 */
export function roundShift(x: number, s: number): number {
  if (!Number.isInteger(s) || s < 0) throw new Error(`roundShift: shift ${s} must be a non-negative integer`);
  if (s === 0) return x;
  const p = 2 ** s;
  return Math.floor((x + p / 2) / p);
}

/** Clamp to the signed range of `bits` bits: [-2^(bits-1), 2^(bits-1) - 1]. */
export function saturate(x: number, bits: number): number {
  const hi = 2 ** (bits - 1) - 1;
  const lo = -(2 ** (bits - 1));
  return x > hi ? hi : x < lo ? lo : x;
}

/** True if x fits in `bits`-bit two's complement. */
export function fitsSigned(x: number, bits: number): boolean {
  return Number.isInteger(x) && x >= -(2 ** (bits - 1)) && x <= 2 ** (bits - 1) - 1;
}

/** Round half away from zero (used only for quantising constants and weights, symmetric so conj pairs stay exact). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** Quantise a real value to `bits`-bit signed with `frac` fraction bits: saturate(roundHalfAway(x * 2^frac)). */
export function quantize(x: number, frac: number, bits: number): number {
  return saturate(roundHalfAway(x * 2 ** frac), bits);
}

/**
 * Largest fraction-bit count f such that round(maxAbs * 2^f) fits in `bits`-bit signed
 * (i.e. <= 2^(bits-1) - 1). maxAbs = 0 gives bits - 1.
 */
export function chooseFrac(maxAbs: number, bits: number): number {
  if (!(maxAbs > 0)) return bits - 1;
  let f = Math.floor(Math.log2((2 ** (bits - 1) - 1) / maxAbs));
  while (roundHalfAway(maxAbs * 2 ** (f + 1)) <= 2 ** (bits - 1) - 1) f++;
  while (roundHalfAway(maxAbs * 2 ** f) > 2 ** (bits - 1) - 1) f--;
  return f;
}

/**
 * Twiddle factor W_K^k = exp(-2 pi j k / K) (forward) or its conjugate (inverse), as
 * [re, im] = roundHalfAway(2^F cos(2 pi k / K)), roundHalfAway(-/+ 2^F sin(2 pi k / K)).
 * With F = 14 every twiddle (including +1.0 = 16384) fits a signed 16-bit word.
 */
export function twiddleFixed(K: number, k: number, F: number, inverse = false): [number, number] {
  const a = (2 * Math.PI * k) / K;
  // exact values on the axes (Math.cos(pi/2) is not exactly 0)
  const q = (4 * k) % K === 0 ? ((4 * k) / K) % 4 : -1;
  const c = q >= 0 ? [1, 0, -1, 0][q]! : Math.cos(a);
  const s = q >= 0 ? [0, 1, 0, -1][q]! : Math.sin(a);
  const re = roundHalfAway(2 ** F * c);
  const im = roundHalfAway(2 ** F * (inverse ? s : -s));
  return [re === 0 ? 0 : re, im === 0 ? 0 : im];
}

/** Exact complex product (ar + j ai)(br + j bi) = [ar br - ai bi, ar bi + ai br]. */
export function complexMul(ar: number, ai: number, br: number, bi: number): [number, number] {
  return [ar * br - ai * bi, ar * bi + ai * br];
}

export interface ButterflyOpts {
  /** data word width (signed), e.g. 16 forward, 16 + 2 log2 K inverse */
  readonly dataBits: number;
  /** twiddle fraction bits F */
  readonly twiddleFrac: number;
}

/**
 * One radix-2 decimation-in-frequency butterfly with 1/2 scaling:
 *   top = sat(roundShift(a + b, 1)),  bot = sat(roundShift((a - b) * W, F + 1))
 * applied to real and imaginary parts separately. Returns [topRe, topIm, botRe, botIm].
 */
export function butterflyFixed(
  ar: number,
  ai: number,
  br: number,
  bi: number,
  wr: number,
  wi: number,
  opts: ButterflyOpts,
): [number, number, number, number] {
  const out: [number, number, number, number] = [0, 0, 0, 0];
  butterflyInto(ar, ai, br, bi, wr, wi, opts.dataBits, opts.twiddleFrac, out, 0);
  return out;
}

/** Non-allocating butterfly, writes [topRe, topIm, botRe, botIm] to out[o..o+3]. */
export function butterflyInto(
  ar: number,
  ai: number,
  br: number,
  bi: number,
  wr: number,
  wi: number,
  dataBits: number,
  F: number,
  out: { [i: number]: number },
  o: number,
): void {
  const hi = 2 ** (dataBits - 1) - 1;
  const lo = -(2 ** (dataBits - 1));
  const sr = Math.floor((ar + br + 1) / 2);
  const si = Math.floor((ai + bi + 1) / 2);
  const dr = ar - br;
  const di = ai - bi;
  const p = 2 ** (F + 1);
  const h = p / 2;
  const pr = Math.floor((dr * wr - di * wi + h) / p);
  const pi = Math.floor((dr * wi + di * wr + h) / p);
  out[o] = sr > hi ? hi : sr < lo ? lo : sr;
  out[o + 1] = si > hi ? hi : si < lo ? lo : si;
  out[o + 2] = pr > hi ? hi : pr < lo ? lo : pr;
  out[o + 3] = pi > hi ? hi : pi < lo ? lo : pi;
}

export { checkInt };
