/**
 * `Lfsr(width, { seed?, enable?, name? })`: a maximal-length Fibonacci linear-feedback shift
 * register of 2..64 bits (period 2^width - 1; the all-zero state is never entered from a nonzero
 * seed). Each enabled clock edge shifts left by one and shifts in the XOR of the tap bits of the
 * primitive polynomial in LFSR_TAPS. Cost: `width` flip-flops and one XOR of 2 or 4 bits.
 */
import { Reg, UInt, cat, requireArgument, type Signal } from "../core/index.js";

/**
 * For each width n, the exponents of a primitive polynomial x^n + x^a (+ x^b + x^c) + 1 over GF(2)
 * (the first found with one or three middle terms, checked by the order test: x^(2^n-1) = 1 and
 * x^((2^n-1)/q) != 1 modulo the polynomial for every prime q dividing 2^n - 1; the test of this
 * file repeats that check).
 */
export const LFSR_TAPS: Readonly<Record<number, readonly number[]>> = {
  2: [2, 1], 3: [3, 1], 4: [4, 1], 5: [5, 2], 6: [6, 1], 7: [7, 1], 8: [8, 7, 2, 1], 9: [9, 4], 10: [10, 3],
  11: [11, 2], 12: [12, 8, 2, 1], 13: [13, 5, 2, 1], 14: [14, 12, 2, 1], 15: [15, 1], 16: [16, 12, 3, 1], 17: [17, 3],
  18: [18, 7], 19: [19, 5, 2, 1], 20: [20, 3], 21: [21, 2], 22: [22, 1], 23: [23, 5], 24: [24, 7, 2, 1], 25: [25, 3],
  26: [26, 6, 2, 1], 27: [27, 5, 2, 1], 28: [28, 3], 29: [29, 2], 30: [30, 23, 2, 1], 31: [31, 3], 32: [32, 22, 2, 1],
  33: [33, 13], 34: [34, 27, 2, 1], 35: [35, 2], 36: [36, 11], 37: [37, 9, 2, 1], 38: [38, 13, 3, 1], 39: [39, 4],
  40: [40, 35, 2, 1], 41: [41, 3], 42: [42, 29, 2, 1], 43: [43, 12, 2, 1], 44: [44, 38, 3, 1], 45: [45, 4, 3, 1],
  46: [46, 9, 3, 1], 47: [47, 5], 48: [48, 28, 3, 1], 49: [49, 9], 50: [50, 16, 2, 1], 51: [51, 28, 2, 1], 52: [52, 3],
  53: [53, 6, 2, 1], 54: [54, 17, 2, 1], 55: [55, 24], 56: [56, 42, 2, 1], 57: [57, 7], 58: [58, 19],
  59: [59, 24, 2, 1], 60: [60, 1], 61: [61, 5, 2, 1], 62: [62, 28, 3, 1], 63: [63, 1], 64: [64, 11, 2, 1],
};

/** One step of the LFSR in TypeScript (the model the tests use): shift left, feed back the taps. */
export function lfsrStep(state: bigint, width: number): bigint {
  let fb = 0n;
  for (const t of LFSR_TAPS[width]!) fb ^= (state >> BigInt(t - 1)) & 1n;
  return ((state << 1n) | fb) & ((1n << BigInt(width)) - 1n);
}

export interface LfsrOptions {
  /** reset state, nonzero (default 1) */
  readonly seed?: number | bigint;
  readonly enable?: Signal;
  readonly name?: string;
}

export function Lfsr(width: number, opts: LfsrOptions = {}): Signal {
  const taps = LFSR_TAPS[width];
  requireArgument(taps !== undefined, `Lfsr: width must be an integer from 2 to 64, got ${width}`);
  const seed = BigInt(opts.seed ?? 1);
  requireArgument(seed > 0n && seed < 1n << BigInt(width), `Lfsr: seed must be a nonzero ${width}-bit value, got ${seed}`);
  const state = Reg(UInt(width), { init: seed, name: opts.name ?? "lfsr", ...(opts.enable ? { enable: opts.enable } : {}) });
  const feedback = taps.map((t) => state.bit(t - 1)).reduce((a, b) => a.xor(b));
  state.assign(cat(state.bits(width - 2, 0), feedback));
  return state;
}
