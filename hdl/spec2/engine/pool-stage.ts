/**
 * PoolStage { K, actBits, maxWidth }: the engine's output stage, 2x2 max-pooling (stride 2) of
 * the overlap-add output words when `pool` is set, a plain register stage when it is not.
 *
 * Ports:
 *   pool (in): the layer's pooling flag (held for the layer).
 *   in (Valid, in): an overlap-add output group `{ channel, row, col, mask, values: Vec(K) }`:
 *     words col + i (bit i of mask) of row `row` of channel `channel`. Groups come as the
 *     overlap-add unit emits them: a channel's rows ascending, each row's groups col = 0, K,
 *     2K, ... (the last one masked), and rows 2m and 2m + 1 of a channel one after the other
 *     (bands of T rows, T even, never split such a pair).
 *   out (Valid, out): the same bundle, one clock later. Pooled: on the odd row of a pair only,
 *     row m, col = col / 2, values[i] = max of the 2x2 window of output word col / 2 + i for
 *     i < K/2 (mask bit i when both columns of the window exist; values i >= K/2 are 0); an odd
 *     last row or column of the map has no window and is dropped, as in the golden pooling.
 *
 * Storage: the even row's horizontal maxima, K/2 words per group, in a LUT RAM of
 * ceil(maxWidth / K) entries read asynchronously by the odd row.
 */
import { Bool, Bundle, Input, Mem, Output, Reg, SInt, UInt, Vec, cat, defineModule, log2Ceil, mux, when, type Signal } from "../../core";
import { Valid } from "../../lib";
import { checkParams, isIntIn } from "../generator-params";

export interface PoolStageParams {
  readonly K: number;
  readonly actBits: number;
  /** largest output width (before pooling) */
  readonly maxWidth: number;
  /** largest output height (before pooling) and channel count: the widths of row and channel */
  readonly maxHeight: number;
  readonly maxChannels: number;
}

/** The group bundle of PoolStage's in and out. */
export function outputGroupType(p: PoolStageParams) {
  return Bundle({
    channel: UInt(log2Ceil(Math.max(2, p.maxChannels))),
    row: UInt(log2Ceil(Math.max(2, p.maxHeight))),
    col: UInt(log2Ceil(Math.max(2, p.maxWidth))),
    mask: UInt(p.K),
    values: Vec(p.K, SInt(p.actBits)),
  });
}

export const PoolStage = defineModule("PoolStage", (p: PoolStageParams) => {
  const { K } = p;
  checkParams([
    [isIntIn(K, 2, 64) && (K & (K - 1)) === 0, `K must be a power of two in 2..64, got ${K}`],
    [isIntIn(p.actBits, 2, 32), `actBits must be an integer in 2..32, got ${p.actBits}`],
    [isIntIn(p.maxWidth, 1, 65535) && isIntIn(p.maxHeight, 1, 65535) && isIntIn(p.maxChannels, 1, 65535), "maxWidth, maxHeight and maxChannels must be integers in 1..65535"],
  ]);
  const half = K / 2;
  const pool = Input(Bool());
  const input = Input(Valid(outputGroupType(p)), { name: "in" });
  const out = Output(Valid(outputGroupType(p)));

  // ---- horizontal maxima of the group's pairs ----
  const g = input.bits;
  const max = (a: Signal, b: Signal): Signal => mux(a.gt(b), a, b);
  const pairs = Array.from({ length: half }, (_, i) => max(g.values.at(2 * i), g.values.at(2 * i + 1)));
  // bit i: both columns of window i exist (cat puts its first argument in the top bits)
  const pairMask = cat(...Array.from({ length: half }, (_, j) => g.mask.bit(2 * (half - 1 - j)).and(g.mask.bit(2 * (half - 1 - j) + 1))));

  // ---- the even row's maxima, per group ----
  const groups = Math.ceil(p.maxWidth / K);
  const line = Mem(Math.max(2, groups), UInt(half * p.actBits), { style: "distributed", name: "line" });
  const groupIndex = g.col.shr(log2Ceil(K)).resize(log2Ceil(Math.max(2, groups)));
  const odd = g.row.bit(0);
  when(input.valid.and(pool).and(odd.not()), () => line.write(groupIndex, cat(...pairs.slice().reverse().map((v) => v.asUInt()))));
  const stored = line.readAsync(groupIndex);
  const pooled = pairs.map((v, i) => max(v, stored.bits((i + 1) * p.actBits - 1, i * p.actBits).asSInt()));

  // ---- out: registered ----
  const valid = Reg(Bool(), { init: 0 });
  const channel = Reg(UInt(g.channel.width));
  const row = Reg(UInt(g.row.width));
  const col = Reg(UInt(g.col.width));
  const mask = Reg(UInt(K));
  const values = Reg(Vec(K, SInt(p.actBits)));
  valid.assign(input.valid.and(pool.not().or(odd)));
  channel.assign(g.channel);
  when(pool, () => {
    row.assign(g.row.shr(1).resize(g.row.width));
    col.assign(g.col.shr(1).resize(g.col.width));
    mask.assign(pairMask.zext(K));
    for (let i = 0; i < K; i++) values.at(i).assign(i < half ? pooled[i]! : 0);
  }).otherwise(() => {
    row.assign(g.row);
    col.assign(g.col);
    mask.assign(g.mask);
    for (let i = 0; i < K; i++) values.at(i).assign(g.values.at(i));
  });
  out.valid.assign(valid);
  out.bits.channel.assign(channel);
  out.bits.row.assign(row);
  out.bits.col.assign(col);
  out.bits.mask.assign(mask);
  for (let i = 0; i < K; i++) out.bits.values.at(i).assign(values.at(i));
  return { pool, in: input, out };
});
