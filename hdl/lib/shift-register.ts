/**
 * Delay lines. `ShiftRegister(x, n, { init?, enable?, name? })` is x delayed by n clock edges
 * (n registers; with `enable`, it shifts only on edges where enable is high; with `init`, the
 * registers reset to it). `Pipe(v, n)` delays a `Valid` value {valid, bits}: valid registers
 * reset to 0, data registers have no reset. Cost: n registers of x's width (SRLs in Xilinx parts
 * when there is no reset).
 */
import { Reg, requireArgument, type Signal } from "../core/index.js";

export interface ShiftOptions {
  readonly init?: number | bigint;
  readonly enable?: Signal;
  readonly name?: string;
}

export function ShiftRegister(x: Signal, n: number, opts: ShiftOptions = {}): Signal {
  requireArgument(Number.isInteger(n) && n >= 0, `ShiftRegister: n must be a non-negative integer, got ${n}`);
  let y = x;
  for (let i = 0; i < n; i++) {
    const r = Reg(x.type, {
      ...(opts.init !== undefined ? { init: opts.init } : {}),
      ...(opts.enable ? { enable: opts.enable } : {}),
      name: `${opts.name ?? "delay"}_${i + 1}`,
    });
    r.assign(y);
    y = r;
  }
  return y;
}

/** Alias of ShiftRegister, for reading "x delayed by n". */
export const delay = ShiftRegister;

export interface ValidValue {
  readonly valid: Signal;
  readonly bits: Signal;
}

/** A valid-carrying delay of n cycles. */
export function Pipe(v: ValidValue, n: number, name = "pipe"): ValidValue {
  return { valid: ShiftRegister(v.valid, n, { init: 0, name: `${name}_valid` }), bits: ShiftRegister(v.bits, n, { name: `${name}_bits` }) };
}
