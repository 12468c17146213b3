/**
 * The PE array's X loaders with a run-time input channel count (a part of PeArray with streamed
 * weights, pe-array.ts; the kernel-ROM array's loaders are pe-array-load.ts).
 *
 * The same placement as pe-array-load.ts: lane l (of fftLanes, which divides pIn) carries the
 * channels i = l, l + fftLanes, ... < cin of every tile, each as K/2+1 columns in K/xWords beats;
 * channel i = r*pIn + pi goes to group pi, X bank = parity of the global round number. Here cin,
 * and so the rounds R = ceil(cin/pIn) and the channels of the last round, are run-time values:
 *
 *   passes   every weight bank written into the array (its last row: `cin`, `tiles`) is queued
 *            per lane (two deep: the buffer holds two banks, and a lane finishes loading a pass
 *            before the issue can release its bank); the head is the lane's current pass.
 *   walk     the lane keeps its channel i, group pi and the round's first channel r*pIn (no
 *            division: i advances by fftLanes, pi wraps to l after its last group, r*pIn by pIn).
 *   tile end after channel i when i + fftLanes >= cin; the next tile's first round follows the
 *            tile's last, R - 1, which is the lane's own last round r or, when r*pIn + pIn < cin
 *            (a last round without this lane's groups), r + 1: the bank parity flips once or twice.
 *   pass end after the pass's `tiles` tiles: the head is dropped.
 * Only a channel's last column waits for the lane's pass (the tile-end decision needs cin), so
 * the first channel's other columns load before the first bank has arrived.
 *
 * Every lane must have a channel in every tile (cin >= fftLanes, asserted at the weight port):
 * a lane without one could not follow the round parity.
 */
import { Bool, Reg, UInt, assert, cat, log2Ceil, mux, when, type Signal, type Var } from "../core";
import { queue, selectTree } from "../lib";
import { bitsFor } from "./generator-params";
import type { GroupLoad, XLane } from "./pe-array-load";
import type { Complex } from "./fixed";

export interface RuntimeLoaderShape {
  readonly K: number;
  readonly pIn: number;
  readonly fftLanes: number;
  readonly xWords: number;
  readonly vBits: number;
  /** the most input channels of a pass */
  readonly maxCin: number;
  /** bits of a bank's `cin` and `tiles` */
  readonly cinBits: number;
  readonly tileBits: number;
}

/** A weight bank's last row entering the array: its pass's channel count and tiles. */
export interface PassPush {
  readonly valid: Signal;
  readonly cin: Signal;
  readonly tiles: Signal;
}

/**
 * Builds the loaders. `loaded[pi][b]` are the array's flags (set here, cleared by the issue);
 * returns the X write of every group.
 */
export function buildRuntimeLoaders(s: RuntimeLoaderShape, lanes: readonly XLane[], loaded: readonly (readonly Var[])[], push: PassPush): GroupLoad[] {
  const beats = s.K / s.xWords;
  const beatBits = Math.log2(beats);
  const piBits = log2Ceil(Math.max(2, s.pIn));
  const chBits = bitsFor(s.maxCin + s.pIn);
  const laneOut = lanes.map((x, l) => {
    const groups = Array.from({ length: s.pIn / s.fftLanes }, (_, g) => l + g * s.fftLanes);
    // ---- the lane's passes ----
    const passes = queue({ type: UInt(s.tileBits + s.cinBits), depth: 2 }, { name: `lane${l}_passes` });
    passes.enq.valid.assign(push.valid);
    passes.enq.bits.assign(cat(push.tiles, push.cin));
    assert(push.valid.not().or(passes.enq.ready), "PeArray: a third weight bank ahead of an X loader");
    const cin = passes.deq.bits.bits(s.cinBits - 1, 0);
    const tiles = passes.deq.bits.bits(s.tileBits + s.cinBits - 1, s.cinBits);
    // ---- position: channel, group, round start, bank; column, beat; tile of the pass ----
    const i = Reg(UInt(chBits), { init: l, name: `lane${l}_channel` });
    const pi = Reg(UInt(piBits), { init: l, name: `lane${l}_group` });
    const roundStart = Reg(UInt(chBits), { init: 0, name: `lane${l}_roundStart` });
    const bank = Reg(Bool(), { init: 0, name: `lane${l}_bank` });
    const tile = Reg(UInt(s.tileBits), { init: 0, name: `lane${l}_tile` });
    const v = Reg(UInt(s.vBits), { init: 0, name: `lane${l}_v` });
    const beat = beats === 1 ? undefined : Reg(UInt(beatBits), { init: 0, name: `lane${l}_beat` });
    const free = groups.map((g) => pi.eq(g).and(mux(bank, loaded[g]![1]!, loaded[g]![0]!).not())).reduce((a, b) => a.or(b));
    // only a channel's last column needs the pass (is it the tile's last channel?): the others load without
    const open = free.and(passes.deq.valid.or(x.last.not()));
    const write = x.valid.and(open);
    const lastBeat = beat === undefined ? undefined : beat.eq(beats - 1);
    x.ready.assign(lastBeat === undefined ? open : open.and(lastBeat));
    const tileEnd = i.add(s.fftLanes).ge(cin);
    const passEnd = tileEnd.and(tile.add(1).eq(tiles));
    const channelDone = (lastBeat === undefined ? write : write.and(lastBeat)).and(x.last);
    passes.deq.ready.assign(channelDone.and(passEnd));
    // ---- advance: beat, column, channel ----
    const endOfColumn = (): void => {
      when(x.last, () => {
        v.assign(0);
        for (const g of groups) when(pi.eq(g), () => when(bank, () => loaded[g]![1]!.assign(1)).otherwise(() => loaded[g]![0]!.assign(1)));
        when(tileEnd, () => {
          i.assign(l);
          pi.assign(l);
          roundStart.assign(0);
          bank.assign(bank.not().xor(roundStart.add(s.pIn).lt(cin)));
          tile.assign(mux(passEnd, 0, tile.addWrap(1)));
        }).otherwise(() => {
          i.assign(i.addWrap(s.fftLanes));
          const nextRound = (): void => {
            pi.assign(l);
            roundStart.assign(roundStart.addWrap(s.pIn));
            bank.assign(bank.not());
          };
          // one group per lane (pIn = fftLanes): every channel is a round's
          if (groups.length === 1) nextRound();
          else when(pi.eq(groups[groups.length - 1]!), nextRound).otherwise(() => pi.assign(pi.addWrap(s.fftLanes)));
        });
      }).otherwise(() => v.assign(v.addWrap(1)));
    };
    when(write, () => {
      if (beat === undefined || lastBeat === undefined) endOfColumn();
      else {
        beat.assign(beat.addWrap(1));
        when(lastBeat, endOfColumn);
      }
    });
    // ---- the beat's words: u = beat*xWords + q ----
    const words = Array.from({ length: s.xWords }, (_, q): Complex => {
      if (beat === undefined) return x.col[q]!;
      const pick = (part: "re" | "im"): Signal => selectTree(Array.from({ length: beats }, (_, b) => x.col[b * s.xWords + q]![part]), beat);
      return { re: pick("re"), im: pick("im") };
    });
    const addr = beat === undefined ? v : cat(v, beat);
    return { write, pi, bank, addr, words };
  });
  return Array.from({ length: s.pIn }, (_, g) => {
    const src = laneOut[g % s.fftLanes]!;
    return { en: src.write.and(src.pi.eq(g)), bank: src.bank, addr: src.addr, words: src.words };
  });
}
