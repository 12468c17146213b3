/**
 * Small pieces shared by the 2D transforms (fft2d.ts, ifft2d.ts): a mux by index over a list
 * of values, and a delay line that carries side information (column index, last flag) next
 * to a pipelined FFT.
 *
 * The transpose buffers themselves are two banks of registers in each unit (a K x (K/2+1)
 * array of complex words per bank): one bank is written by the first 1D FFT while the other
 * is read by the second. See the unit files for the hand-over rule.
 */
import { Reg, mux, type Signal } from "../core";

/** values[index] through a chain of 2:1 muxes (index values past the end give the last value). */
export function selectBy(index: Signal, values: readonly Signal[]): Signal {
  if (values.length === 0) throw new RangeError("selectBy: no values");
  return values.reduceRight<Signal | undefined>((acc, v, k) => (acc === undefined ? v : mux(index.eq(k), v, acc)), undefined)!;
}

/** x delayed by n clock cycles (registers without reset, or with reset to `init`). */
export function delay(x: Signal, n: number, name: string, init?: number): Signal {
  let y = x;
  for (let i = 0; i < n; i++) {
    const r = Reg(x.type, init === undefined ? { name: `${name}_d${i + 1}` } : { init, name: `${name}_d${i + 1}` });
    r.assign(y);
    y = r;
  }
  return y;
}
