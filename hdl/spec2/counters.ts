/**
 * Counter registers of the spec2 units: a register counting 0..limit-1, its wrapping increment,
 * and range tests on it that leave out comparisons which always hold (Verilator's -Wall flags a
 * comparison that is constant by its operand's width).
 */
import { Bool, Reg, UInt, constant, log2Ceil, mux, type Signal, type Var } from "../core";

/** A register for 0..limit-1, reset to 0 (wrapping is up to the user: see wrapInc). */
export function counter(limit: number, name: string): Var {
  return Reg(UInt(log2Ceil(limit)), { init: 0, name });
}

/** `x` + 1, back to 0 after `limit` - 1. */
export function wrapInc(x: Var, limit: number): Signal {
  return mux(x.eq(limit - 1), 0, x.addWrap(1));
}

/** x >= lo, for lo <= 0 the constant true. */
export function atLeast(x: Signal, lo: number): Signal {
  return lo <= 0 ? constant(1, Bool()) : x.ge(lo);
}

/** lo <= x <= hi for a counter x of 0..limit-1. */
export function within(x: Signal, lo: number, hi: number, limit: number): Signal {
  return hi < limit - 1 ? atLeast(x, lo).and(x.le(hi)) : atLeast(x, lo);
}
