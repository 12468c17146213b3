/**
 * GroupPacker { K, actBits, maxWidth, maxHeight, maxChannels }: PoolStage's pooled groups (K/2
 * words at columns that are multiples of K/2) merged pairwise into groups of K words at
 * multiples of K, the granularity MapWriter writes; unpooled groups pass unchanged.
 *
 * Ports
 *   pool (in): the groups on `in` are pooled (PoolStage's `pool`, one clock earlier: its `out`
 *     is registered, so pass the pool flag as seen with the group).
 *   width (in): the written row width (the pooled width floor(wo / 2) when pooling).
 *   in (Valid, in): PoolStage's `out`.
 *   out (Valid, out): one clock later. Pooled: a group at column c = j K holds words c .. c + K/2
 *     - 1 of the even-half group (mask bits 0 .. K/2 - 1) and c + K/2 .. c + K - 1 of the odd-half
 *     group that follows it (mask bits K/2 ..); a row's even-half group that is its last (c + K/2
 *     >= width) goes out alone; groups at or past the width (PoolStage's windowless last column)
 *     are dropped.
 */
import { constant, Bool, Input, Output, Reg, SInt, UInt, Vec, cat, defineModule, log2Ceil, mux, when } from "../../core";
import { Valid } from "../../lib";
import { bitsFor } from "../generator-params";
import { outputGroupType, type PoolStageParams } from "./pool-stage";

export const GroupPacker = defineModule("GroupPacker", (p: PoolStageParams) => {
  const { K } = p;
  const half = K / 2;
  const type = outputGroupType(p);
  const pool = Input(Bool());
  const width = Input(UInt(bitsFor(p.maxWidth)));
  const input = Input(Valid(type), { name: "in" });
  const out = Output(Valid(type));
  const g = input.bits;
  // a map of at most K/2 columns has only even-half groups (col 0)
  const oddHalf = g.col.width > log2Ceil(half) ? g.col.bit(log2Ceil(half)) : constant(0, Bool());
  const inside = g.col.zext(width.width + 1).lt(width.zext(width.width + 1).resize(width.width + 1));
  const rowLast = g.col.zext(width.width + 2).add(half).ge(width.zext(width.width + 2));

  // the even-half group waiting for its odd half
  const held = Reg(Vec(half, SInt(p.actBits)), { name: "held_values" });
  const heldMask = Reg(UInt(half), { init: 0, name: "held_mask" });
  const valid = Reg(Bool(), { init: 0, name: "out_valid" });
  const bits = Reg(type, { name: "out_bits" });
  const hold = input.valid.and(pool).and(inside).and(oddHalf.not()).and(rowLast.not());
  valid.assign(input.valid.and(pool.not().or(inside.and(oddHalf.or(rowLast)))));
  when(hold, () => {
    for (let i = 0; i < half; i++) held.at(i).assign(g.values.at(i));
    heldMask.assign(g.mask.bits(half - 1, 0));
  });
  bits.channel.assign(g.channel);
  bits.row.assign(g.row);
  when(pool.and(oddHalf), () => {
    // the pair: the held even half below, this group's words above
    bits.col.assign(g.col.subWrap(half).resize(g.col.width));
    bits.mask.assign(cat(g.mask.bits(half - 1, 0), heldMask));
    for (let i = 0; i < K; i++) bits.values.at(i).assign(i < half ? held.at(i) : g.values.at(i - half));
  }).otherwise(() => {
    bits.col.assign(g.col);
    bits.mask.assign(mux(pool, g.mask.bits(half - 1, 0).zext(K), g.mask));
    for (let i = 0; i < K; i++) bits.values.at(i).assign(g.values.at(i));
  });
  out.valid.assign(valid);
  out.bits.channel.assign(bits.channel);
  out.bits.row.assign(bits.row);
  out.bits.col.assign(bits.col);
  out.bits.mask.assign(bits.mask);
  for (let i = 0; i < K; i++) out.bits.values.at(i).assign(bits.values.at(i));
  return { pool, width, in: input, out };
});
