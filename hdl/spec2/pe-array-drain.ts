/**
 * The PE array's output side (a part of PeArray, pe-array.ts): drain, group sums, block buffers
 * and the IFFT lanes' readers.
 *
 * Drain: all PEs drain the full accumulator bank of a finished tile in lock step, address
 * a = 0..drainDepth-1 (pe.ts accLocation: output channel m, column v, rows u = a*D.. of it),
 * D = drainWords words per clock, each PE masking the words it did not touch (drainKeep).
 *   d0  the address goes to the PEs and to the keep ROMs (both read synchronously)
 *   d1  the pIn partial words of each group po (channel o = po + m*pOut) are summed (exact)
 *   d2  macToIfftInput (roundShift + saturate, spectral/fixed/layer.ts step 4)
 *   d3  the words are written into the group's block buffer (rows u of column v of block m)
 * A block (all K/2+1 columns of one output channel of one tile) starts only when every group
 * that has channel o has a free block slot; the bank is handed back after its last address.
 *
 * Block buffer (per group): `slots` blocks of K/2+1 columns, a LUT-RAM memory per row u (so a
 * drain beat writes its D rows and a reader gets a whole column in one read).
 *
 * IFFT lanes: lane j (of ifftLanes, which divides pOut) takes the blocks of the groups
 * po = j (mod ifftLanes), in channel order o = j, j + ifftLanes, ... (for m: for its po), a
 * column per clock through an output register, `last` with column K/2.
 *
 * Run-time output channel count (`runtimeCout`, streamed weights): `cout` and `oLoc` are then
 * the compile-time maxima (the accumulators' capacity) and each accumulator bank comes with the
 * cout of the tile it holds. The walk covers only the tile's ceil(cout/pOut) blocks (its m*pOut
 * kept as a sum, no division), the beats carry per group "has channel o = po + m*pOut" and "o is
 * its IFFT lane's last channel of the tile" (o + ifftLanes >= cout) instead of m, the block
 * buffers keep the second as a tag per slot, and a lane takes the groups' blocks in turn until
 * a tagged one, then starts the next tile at its first group: no block order ROM.
 */
import { Bool, Mem, Reg, Rom, UInt, Vec, cat, constant, log2Ceil, mux, when, type Memory, type Signal, type Var } from "../core";
import { ComplexT, roundShift, saturate, type Complex } from "./fixed";
import { selectTree, sumTree } from "../lib";
import { bitsFor } from "./generator-params";

/** Hardware macToIfftInput: roundShift (shift > 0) or exact left shift (shift < 0), then saturate. */
export function macToIfftInputHw(acc: Signal, shift: number, ifftBits: number): Signal {
  const v = shift > 0 ? roundShift(acc, shift) : shift < 0 ? acc.shl(-shift) : acc;
  return saturate(v, ifftBits);
}

/**
 * A macShift chosen at run time in min..max (`RuntimeShift`): the accumulator first shifted left
 * by max - macShift (exact), then macToIfftInputHw by max. Equal to macToIfftInputHw(acc, macShift)
 * for every macShift in the range: a rounding shift by s of x equals one by max of x 2^(max - s).
 */
export function macToIfftInputRuntimeHw(acc: Signal, shift: RuntimeShift, ifftBits: number): Signal {
  return macToIfftInputHw(acc.shl(shift.amount), shift.max, ifftBits);
}

/** The drain's shift chosen at run time: `amount` = max - macShift (unsigned, at most max - min), held while a layer drains. */
export interface RuntimeShift {
  readonly max: number;
  readonly amount: Signal;
}

export interface DrainShape {
  readonly K: number;
  readonly cout: number;
  readonly pOut: number;
  readonly pIn: number;
  readonly oLoc: number;
  readonly drainWords: number;
  readonly drainDepth: number;
  readonly accBits: number;
  readonly ifftBits: number;
  /** macShift of the layer, or chosen at run time */
  readonly shift: number | RuntimeShift;
  readonly ifftLanes: number;
  /** block slots per group buffer, a power of two */
  readonly slots: number;
  /** drainKeep[po][pi][a] of the schedule; absent when the PEs track their writes (pe.ts trackKeep) */
  readonly keep?: readonly (readonly (readonly number[])[])[];
  /** per accumulator bank, the run-time cout of the tile it holds (then `cout`, `oLoc` are the maxima; no `keep`) */
  readonly runtimeCout?: readonly Signal[];
}

/** What the drain needs of every PE. */
export interface PeDrainPort {
  readonly drWords: readonly Complex[];
  /** absent when the PE tracks its writes */
  readonly drKeep?: Var;
}

/** One IFFT lane's output stream (registers). */
export interface YLane {
  readonly valid: Signal;
  readonly last: Signal;
  readonly col: readonly Complex[];
}

/** Blocks lane j reads in one tile, in order: the group po of each (channel o = po + m*pOut). */
export function laneBlocks(s: Pick<DrainShape, "cout" | "pOut" | "oLoc" | "ifftLanes">, j: number): number[] {
  const seq: number[] = [];
  for (let m = 0; m < s.oLoc; m++) for (let po = j; po < s.pOut; po += s.ifftLanes) if (po + m * s.pOut < s.cout) seq.push(po);
  return seq;
}

/** Where a drained beat is: valid, rows uc*D.. (absent when D = K), column v, block m (run-time cout: the block's group flags). */
interface DrainBeat {
  readonly valid: Signal;
  readonly uc: Signal | undefined;
  readonly v: Signal;
  readonly m: Signal;
}

/** The next pipeline stage's copy of a beat's position (held while no beat moves). */
function nextStage(prev: DrainBeat, name: string): DrainBeat {
  const valid = Reg(Bool(), { init: 0, name: `${name}_valid` });
  const uc = prev.uc && Reg(prev.uc.type, { name: `${name}_uc` });
  const v = Reg(prev.v.type, { name: `${name}_v` });
  const m = Reg(prev.m.type, { name: `${name}_m` });
  valid.assign(prev.valid);
  when(prev.valid, () => {
    if (uc && prev.uc) uc.assign(prev.uc);
    v.assign(prev.v);
    m.assign(prev.m);
  });
  return { valid, uc, v, m };
}

/** Builds the drain; returns the PEs' drain control (the same for every PE). */
export function buildDrain(
  s: DrainShape,
  pes: readonly (readonly PeDrainPort[])[],
  accFull: readonly Var[],
  readies: readonly Signal[],
): { dr: { en: Signal; bank: Signal; addr: Signal }; lanes: YLane[] } {
  const { K, D, half, per } = { K: s.K, D: s.drainWords, half: s.K / 2 + 1, per: s.K / s.drainWords };
  const addrBits = log2Ceil(s.drainDepth);
  const slotBits = Math.log2(s.slots);
  const vBits = log2Ceil(half);

  // ---- d0: the address walk, block by block ----
  const bank = Reg(Bool(), { init: 0, name: "drain_bank" });
  const addr = Reg(UInt(addrBits), { init: 0, name: "drain_addr" });
  const uc = per === 1 ? undefined : Reg(UInt(Math.log2(per)), { init: 0, name: "drain_uc" });
  const v = Reg(UInt(vBits), { init: 0, name: "drain_v" });
  const rt = s.runtimeCout && runtimeBlocks(s, s.runtimeCout, bank);
  const m = rt ? rt.flags : Reg(UInt(log2Ceil(s.oLoc)), { init: 0, name: "drain_m" });
  const lastM = rt ? rt.lastM : m.eq(s.oLoc - 1).named("lastM");
  // group po has a channel in block m (only the last m can miss some)
  const hasChannel = (po: number, mSig: Signal): Signal =>
    rt ? mSig.bit(po) : po + (s.oLoc - 1) * s.pOut < s.cout ? constant(1, Bool()) : mSig.neq(s.oLoc - 1);
  const free = Array.from({ length: s.pOut }, (_, po) => Reg(UInt(log2Ceil(s.slots + 1)), { init: s.slots, name: `free_${po}` }));
  const filled = Array.from({ length: s.pOut }, (_, po) => Reg(UInt(log2Ceil(s.slots + 1)), { init: 0, name: `filled_${po}` }));
  const blockStart = (uc === undefined ? v.eq(0) : v.eq(0).and(uc.eq(0))).named("drain_block_start");
  const space = free.map((f, po) => hasChannel(po, m).not().or(f.neq(0))).reduce((a, b) => a.and(b));
  const go = mux(bank, accFull[1]!, accFull[0]!).and(blockStart.not().or(space)).named("drain_go");
  const lastAddr = rt ? lastM.and(v.eq(half - 1)).and(uc === undefined ? constant(1, Bool()) : uc.eq(per - 1)) : addr.eq(s.drainDepth - 1).named("lastAddr");
  when(go, () => {
    addr.assign(mux(lastAddr, 0, addr.addWrap(1)));
    const nextColumn = (): void => {
      when(v.eq(half - 1), () => {
        v.assign(0);
        if (rt) rt.next();
        else (m as Var).assign(mux(lastM, 0, m.addWrap(1)));
      }).otherwise(() => v.assign(v.addWrap(1)));
    };
    if (uc === undefined) nextColumn();
    else {
      uc.assign(uc.addWrap(1));
      when(uc.eq(per - 1), nextColumn);
    }
    when(lastAddr, () => {
      bank.assign(bank.not());
      accFull.forEach((full, b) => when(bank.eq(b), () => full.assign(0)));
    });
  });
  const reserve = free.map((_, po) => go.and(blockStart).and(hasChannel(po, m)));

  // ---- d1: keep masks arrive with the PE words; group sums ----
  const keep = s.keep;
  if (keep) {
    pes.forEach((row, po) =>
      row.forEach((pe, pi) => {
        const rom = Rom(UInt(D), keep[po]![pi]!, { name: `keep_${po}_${pi}` });
        pe.drKeep!.assign(rom.readSync(addr, { enable: go }));
      }),
    );
  }
  const d1 = nextStage({ valid: go, uc, v, m }, "d1");
  const d2 = nextStage(d1, "d2");
  const sums = pes.map((row, po) =>
    Array.from({ length: D }, (_, q) => {
      const r = Reg(ComplexT(s.accBits), { name: `sum_${po}_${q}` });
      when(d1.valid, () => {
        r.re.assign(sumTree(row.map((pe) => pe.drWords[q]!.re)).resize(s.accBits));
        r.im.assign(sumTree(row.map((pe) => pe.drWords[q]!.im)).resize(s.accBits));
      });
      return r;
    }),
  );

  // ---- d2: macToIfftInput ----
  const d3 = nextStage(d2, "d3");
  const words = sums.map((row, po) =>
    row.map((w, q) => {
      const r = Reg(ComplexT(s.ifftBits), { name: `word_${po}_${q}` });
      when(d2.valid, () => {
        const shift = s.shift;
        const toIfft = (x: Signal): Signal => (typeof shift === "number" ? macToIfftInputHw(x, shift, s.ifftBits) : macToIfftInputRuntimeHw(x, shift, s.ifftBits));
        r.re.assign(toIfft(w.re));
        r.im.assign(toIfft(w.im));
      });
      return r;
    }),
  );

  // ---- d3: block buffers ----
  const blockEnd = d3.valid.and(d3.v.eq(half - 1)).and(d3.uc === undefined ? constant(1, Bool()) : d3.uc.eq(per - 1));
  const wp = Array.from({ length: s.pOut }, (_, po) => Reg(UInt(Math.max(1, slotBits)), { init: 0, name: `wp_${po}` }));
  const rp = Array.from({ length: s.pOut }, (_, po) => Reg(UInt(Math.max(1, slotBits)), { init: 0, name: `rp_${po}` }));
  const slotAddr = (slot: Signal, col: Signal): Signal => (slotBits === 0 ? col : cat(slot.resize(slotBits), col));
  const buffers: Memory[][] = words.map((row, po) =>
    Array.from({ length: K }, (_, u) => {
      const mem = Mem(s.slots << vBits, UInt(2 * s.ifftBits), { name: `block_${po}_${u}`, style: "distributed" });
      const q = u % D;
      const beatOfU = Math.floor(u / D);
      const thisBeat = d3.uc === undefined ? constant(1, Bool()) : d3.uc.eq(beatOfU);
      const en = d3.valid.and(hasChannel(po, d3.m)).and(thisBeat);
      mem.write(slotAddr(wp[po]!, d3.v), cat(row[q]!.re.asUInt(), row[q]!.im.asUInt()), { enable: en });
      return mem;
    }),
  );
  const written = wp.map((_, po) => blockEnd.and(hasChannel(po, d3.m)));
  // run-time cout: per slot, the block is its lane's last of the tile
  const tags = rt ? wp.map((p, po) => Array.from({ length: s.slots }, (_, k) => {
    const tag = Reg(Bool(), { init: 0, name: `tag_${po}_${k}` });
    when(written[po]!.and(p.eq(k)), () => tag.assign(d3.m.bit(s.pOut + po)));
    return tag;
  })) : undefined;
  wp.forEach((p, po) => when(written[po]!, () => p.assign(slotBits === 0 ? p : p.addWrap(1))));

  // ---- IFFT lanes: blocks in channel order, a column per clock ----
  const consumed = new Array<Signal>(s.pOut).fill(constant(0, Bool()));
  const lanes = readies.map((ready, j): YLane => {
    const groups: number[] = [];
    for (let po = j; po < s.pOut; po += s.ifftLanes) groups.push(po);
    const gBits = log2Ceil(Math.max(2, groups.length));
    // run-time cout: the current group, back to the first after a tagged block; else a ROM of the tile's blocks
    const seq = tags ? [] : laneBlocks(s, j);
    const pos = tags ? undefined : Reg(UInt(log2Ceil(Math.max(2, seq.length))), { init: 0, name: `lane${j}_block` });
    const group = tags ? Reg(UInt(gBits), { init: 0, name: `lane${j}_group` }) : undefined;
    const col = Reg(UInt(vBits), { init: 0, name: `lane${j}_col` });
    const cur = group ?? Rom(UInt(gBits), seq.map((po) => groups.indexOf(po)), { name: `lane${j}_order` }).readAsync(pos!).named("cur");
    const avail = selectTree(groups.map((po) => filled[po]!.neq(0)), cur);
    const yValid = Reg(Bool(), { init: 0, name: `y${j}_valid` });
    const yLast = Reg(Bool(), { init: 0, name: `y${j}_last` });
    const yCol = Reg(Vec(K, ComplexT(s.ifftBits)), { init: 0, name: `y${j}_col` });
    const load = avail.and(yValid.not().or(ready));
    const lastCol = col.eq(half - 1);
    when(yValid.not().or(ready), () => yValid.assign(load));
    when(load, () => {
      yLast.assign(lastCol);
      for (let u = 0; u < K; u++) {
        const word = selectTree(groups.map((po) => buffers[po]![u]!.readAsync(slotAddr(rp[po]!, col))), cur);
        yCol.at(u).re.assign(word.bits(2 * s.ifftBits - 1, s.ifftBits).asSInt());
        yCol.at(u).im.assign(word.bits(s.ifftBits - 1, 0).asSInt());
      }
      col.assign(mux(lastCol, 0, col.addWrap(1)));
      if (pos) when(lastCol, () => pos.assign(mux(pos.eq(seq.length - 1), 0, pos.addWrap(1))));
      if (group && tags) {
        const tagged = selectTree(groups.map((po) => selectTree(tags[po]!, rp[po]!)), cur);
        when(lastCol, () => group.assign(mux(tagged.or(group.eq(groups.length - 1)), 0, group.addWrap(1))));
      }
    });
    groups.forEach((po, g) => {
      consumed[po] = load.and(lastCol).and(cur.eq(g));
      when(consumed[po]!, () => rp[po]!.assign(slotBits === 0 ? rp[po]! : rp[po]!.addWrap(1)));
    });
    return { valid: yValid, last: yLast, col: [...yCol] };
  });

  // ---- slot accounting ----
  free.forEach((f, po) => f.assign(f.add(consumed[po]!.zext(f.width)).subWrap(reserve[po]!.zext(f.width + 1)).resize(f.width)));
  filled.forEach((f, po) => f.assign(f.add(written[po]!.zext(f.width)).subWrap(consumed[po]!.zext(f.width + 1)).resize(f.width)));
  return { dr: { en: go, bank, addr }, lanes };
}

/**
 * The run-time block walk: m*pOut as a sum `base`, the drained bank's cout, the block's flags
 * (bit po: group po has channel o = base + po; bit pOut + po: o is its lane's last of the tile).
 */
function runtimeBlocks(s: DrainShape, couts: readonly Signal[], bank: Signal): { flags: Signal; lastM: Signal; next: () => void } {
  const base = Reg(UInt(bitsFor(s.cout + 2 * s.pOut)), { init: 0, name: "drain_base" });
  const cout = mux(bank, couts[1]!, couts[0]!);
  const lastM = base.add(s.pOut).ge(cout);
  const has = Array.from({ length: s.pOut }, (_, po) => base.add(po).lt(cout));
  const laneLast = Array.from({ length: s.pOut }, (_, po) => base.add(po + s.ifftLanes).ge(cout));
  const flags = cat(...[...has, ...laneLast].reverse());
  return { flags, lastM, next: () => base.assign(mux(lastM, 0, base.addWrap(s.pOut))) };
}
