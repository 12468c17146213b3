/**
 * The PE array's X loaders (a part of PeArray, pe-array.ts): one per FFT lane, writing the
 * spectrum of each input channel into the X banks of the pOut PEs of its group.
 *
 * Lane l (of fftLanes, which divides pIn) carries the channels i = l (mod fftLanes) of every
 * tile in ascending order, each as the K/2+1 columns of its half-plane spectrum. Channel
 * i = r*pIn + pi goes to group pi (the pOut PEs (po, pi)), X bank = parity of the global round
 * number, so the lane visits its groups pi = l, l + fftLanes, ... once per round; the slot
 * table below lists (group, round parity) for one tile (the last round may miss groups).
 * A column is written in K/xWords beats of xWords words; the lane's `ready` rises on the last
 * beat. A group's bank is written only while its `loaded` flag is clear; the flag rises with the
 * channel's last column and is cleared by the MAC issue when the round has read the bank.
 */
import { Bool, Reg, Rom, UInt, cat, log2Ceil, mux, when, type Signal, type Var } from "../core";
import type { Complex } from "./fixed";
import { selectTree } from "../lib";

/** One FFT lane's stream as PeArray sees it. */
export interface XLane {
  readonly valid: Signal;
  readonly ready: Var;
  readonly last: Signal;
  readonly col: readonly Complex[];
}

/** The X write of one group's PEs (the same for its pOut PEs). */
export interface GroupLoad {
  readonly en: Signal;
  readonly bank: Signal;
  /** cat(v, beat) */
  readonly addr: Signal;
  readonly words: readonly Complex[];
}

export interface LoaderShape {
  readonly K: number;
  readonly cin: number;
  readonly pIn: number;
  readonly fftLanes: number;
  readonly xWords: number;
  readonly rounds: number;
  readonly vBits: number;
}

/** (group, parity of the round within the tile) of every channel lane `l` carries in one tile. */
export function laneSlots(s: LoaderShape, l: number): { pi: number; roundParity: number }[] {
  const slots: { pi: number; roundParity: number }[] = [];
  for (let r = 0; r < s.rounds; r++) {
    for (let pi = l; pi < s.pIn; pi += s.fftLanes) if (r * s.pIn + pi < s.cin) slots.push({ pi, roundParity: r % 2 });
  }
  return slots;
}

/**
 * Builds the loaders. `loaded[pi][b]` are the array's flags (set here, cleared by the issue);
 * returns the X write of every group.
 */
export function buildLoaders(s: LoaderShape, lanes: readonly XLane[], loaded: readonly (readonly Var[])[]): GroupLoad[] {
  const beats = s.K / s.xWords;
  const beatBits = Math.log2(beats);
  const piBits = log2Ceil(Math.max(2, s.pIn));
  const laneOut = lanes.map((x, l) => {
    const slots = laneSlots(s, l);
    const groups = [...new Set(slots.map((t) => t.pi))];
    // ---- position: slot in the tile, column, beat; the tile's first round parity flips with R odd ----
    const slot = Reg(UInt(log2Ceil(Math.max(2, slots.length))), { init: 0, name: `lane${l}_slot` });
    const tileParity = Reg(Bool(), { init: 0, name: `lane${l}_tileParity` });
    const v = Reg(UInt(s.vBits), { init: 0, name: `lane${l}_v` });
    const beat = beats === 1 ? undefined : Reg(UInt(beatBits), { init: 0, name: `lane${l}_beat` });
    const table = Rom(UInt(piBits + 1), slots.map((t) => (t.pi << 1) | t.roundParity), { name: `lane${l}_slots` });
    const entry = table.readAsync(slot);
    const pi = entry.bits(piBits, 1);
    const bank = entry.bit(0).xor(tileParity);
    const free = groups.map((g) => pi.eq(g).and(mux(bank, loaded[g]![1]!, loaded[g]![0]!).not())).reduce((a, b) => a.or(b));
    const write = x.valid.and(free);
    const lastBeat = beat === undefined ? undefined : beat.eq(beats - 1);
    x.ready.assign(lastBeat === undefined ? free : free.and(lastBeat));
    // ---- advance: beat, column, channel ----
    const endOfColumn = (): void => {
      when(x.last, () => {
        v.assign(0);
        for (const g of groups) when(pi.eq(g), () => when(bank, () => loaded[g]![1]!.assign(1)).otherwise(() => loaded[g]![0]!.assign(1)));
        when(slot.eq(slots.length - 1), () => {
          slot.assign(0);
          if (s.rounds % 2 === 1) tileParity.assign(tileParity.not());
        }).otherwise(() => slot.assign(slot.addWrap(1)));
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
