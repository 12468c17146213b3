/**
 * Sparse index decoder of a SPEC2 PE (SPEC2.md sections 3-4).
 *
 * A stored kernel entry addresses the half-plane layout of a K x K spectrum: entry (u, v),
 * u = 0..K-1, v = 0..K/2, has index u*(K/2+1) + v. The decoder splits an index back into
 * (u, v) = (index div (K/2+1), index mod (K/2+1)). K/2+1 is not a power of two, so the hardware
 * is a small asynchronously read table (LUT ROM) of 2^indexBits words `cat(u, v)`; indices
 * >= L = K*(K/2+1) (never stored) decode to (0, 0).
 */
import { Input, Output, Rom, UInt, defineModule, isMain, log2Ceil, printVerilog } from "../core";

/** Columns of the half-plane layout: K/2+1. */
export function halfCols(K: number): number {
  return K / 2 + 1;
}

/** Entries of the half-plane layout: L = K*(K/2+1). */
export function halfPlaneEntries(K: number): number {
  return K * halfCols(K);
}

/** Widths of the decoder's fields for FFT size K. */
export function indexWidths(K: number): { indexBits: number; uBits: number; vBits: number } {
  if (!Number.isInteger(Math.log2(K)) || K < 4) throw new RangeError(`index decoder: K must be a power of two >= 4, got ${K}`);
  return { indexBits: log2Ceil(halfPlaneEntries(K)), uBits: log2Ceil(K), vBits: log2Ceil(halfCols(K)) };
}

/** The TypeScript model: index -> (u, v). */
export function decodeIndex(K: number, index: number): { u: number; v: number } {
  const h = halfCols(K);
  if (!Number.isInteger(index) || index < 0 || index >= K * h) return { u: 0, v: 0 };
  return { u: Math.floor(index / h), v: index % h };
}

export interface IndexDecoderParams {
  readonly K: number;
}

/** index (UInt indexBits) -> u (UInt log2 K), v (UInt vBits), combinational. */
export const IndexDecoder = defineModule("IndexDecoder", (p: IndexDecoderParams) => {
  const { indexBits, uBits, vBits } = indexWidths(p.K);
  const index = Input(UInt(indexBits));
  const u = Output(UInt(uBits));
  const v = Output(UInt(vBits));
  const table = Rom(
    UInt(uBits + vBits),
    Array.from({ length: 2 ** indexBits }, (_, i) => {
      const d = decodeIndex(p.K, i);
      return (d.u << vBits) | d.v;
    }),
  );
  const uv = table.readAsync(index);
  u.assign(uv.bits(uBits + vBits - 1, vBits));
  v.assign(uv.bits(vBits - 1, 0));
  return { index, u, v };
});

if (isMain(import.meta.url)) printVerilog(IndexDecoder, { K: 8 });
