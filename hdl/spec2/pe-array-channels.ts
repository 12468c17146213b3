/**
 * The run-time channel counts of a PE array with streamed weights (a part of PeArray,
 * pe-array.ts). They come with each weight bank: the bank's last row carries, beside `tiles`, the
 * layer's `cin` and `cout` (weight-row.ts), checked here against the array's compile-time maxima
 * (maxCin, maxCout: the capacity of the X loaders' counters and of the accumulators).
 *
 * Three consumers follow the banks at their own pace, each through a two-deep queue of the
 * banks' counts (the weight buffer holds at most two banks, and each consumer is done with a
 * bank before it can be released):
 *   the X loaders   (pe-array-load-runtime.ts) cin, ahead of the issue;
 *   the issue       (here) cout of the pass being issued, stored per accumulator bank with the
 *                   tile's last address;
 *   the drain       (pe-array-drain.ts) reads the cout of the bank it drains.
 */
import { Reg, UInt, assert, cat, mux, when, type Signal } from "../core";
import { queue } from "../lib";

/** A bank's last row entering the array and its counts. */
export interface BankChannels {
  readonly push: Signal;
  readonly cin: Signal;
  readonly cout: Signal;
  readonly tiles: Signal;
}

/** The weight port's view: a row transfer, `last`, and the framing fields. */
interface WeightPort {
  readonly valid: Signal;
  readonly ready: Signal;
  readonly bits: { readonly last: Signal; readonly tiles: Signal };
}

/** The counts of every bank written into the array, checked: 1 <= cout <= maxCout, fftLanes <= cin <= maxCin. */
export function bankChannels(weights: WeightPort, fftLanes: number, maxCin: number, maxCout: number): BankChannels {
  const bits = weights.bits as unknown as { last: Signal; tiles: Signal; cin: Signal; cout: Signal };
  const push = weights.valid.and(weights.ready).and(bits.last);
  const minCin = Math.max(1, fftLanes);
  assert(push.not().or(inRange(bits.cin, minCin, maxCin)), `PeArray: a weight bank's cin must be in ${minCin}..maxCin = ${maxCin}`);
  assert(push.not().or(inRange(bits.cout, 1, maxCout)), `PeArray: a weight bank's cout must be in 1..maxCout = ${maxCout}`);
  return { push, cin: bits.cin, cout: bits.cout, tiles: bits.tiles };
}

/** lo <= x <= hi, leaving out a bound the width already gives (a constant comparison lints). */
function inRange(x: Signal, lo: number, hi: number): Signal {
  const upper = hi < 2 ** x.width - 1 ? x.le(hi) : undefined;
  const lower = x.ge(lo);
  return upper ? lower.and(upper) : lower;
}

/**
 * Per accumulator bank, the cout of the tile it holds: the issued pass's cout (queued per bank,
 * dropped with the pass's last tile) written at the tile's last issue into the bank `ab` (whose
 * previous tile was drained before this tile's first issue).
 */
export function passCouts(b: Omit<BankChannels, "cin">, issue: Signal, tileLast: Signal, ab: Signal, tileBits: number): Signal[] {
  const coutBits = b.cout.width;
  const passes = queue({ type: UInt(tileBits + coutBits), depth: 2 }, { name: "issue_passes" });
  passes.enq.valid.assign(b.push);
  passes.enq.bits.assign(cat(b.tiles, b.cout));
  assert(b.push.not().or(passes.enq.ready), "PeArray: a third weight bank ahead of the issue");
  const cout = passes.deq.bits.bits(coutBits - 1, 0);
  const tiles = passes.deq.bits.bits(tileBits + coutBits - 1, coutBits);
  const tile = Reg(UInt(tileBits), { init: 0, name: "issue_tile" });
  const tileEnd = issue.and(tileLast);
  const passEnd = tileEnd.and(tile.add(1).eq(tiles));
  passes.deq.ready.assign(passEnd);
  when(tileEnd, () => tile.assign(mux(passEnd, 0, tile.addWrap(1))));
  return [0, 1].map((bank) => {
    const r = Reg(UInt(coutBits), { init: 0, name: `accCout${bank}` });
    when(tileEnd.and(ab.eq(bank)), () => r.assign(cout));
    return r;
  });
}
