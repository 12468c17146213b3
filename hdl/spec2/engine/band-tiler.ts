/**
 * BandTiler { T, actBits, maxChannels, maxWidth, capacity, loadWords = 1 }: the engine's input
 * tiler, the map shape chosen at run time. It works a band at a time: one row of T x T tiles,
 * which needs only the T input rows the band covers (overlap-add tiles do not overlap on the
 * input), so a map of any height fits; a band of c channels takes c T rowWords words per bank,
 * at most `capacity` (VGG16 at T = 6: c ceil(w / 6) 6 <= 15,360 for every layer, since channels
 * double where the width halves). One band loads while the previous one is tiled.
 *
 * Ports
 *   band (Decoupled, in): a band command `{ c, w, rowWords, p, tilesX, rowLo, rowHi, last }`: the
 *     layer's channels c (1..maxChannels), map width w (1..maxWidth) and rowWords = ceil(w / T),
 *     padding p (0..T-1), tiles across tilesX (ceil((w + 2p) / T): the tiles cover the padded
 *     input); band rows rowLo..rowHi-1 (0 <= rowLo <= rowHi <= T) hold map rows, the others are
 *     padding (zeros; rowLo = rowHi: a band of padding only, with no load beats); `last`: the
 *     band is its image's last. Values the host derives (rowWords, tilesX)
 *     come with the command so that the tiler divides nothing. Taken when the load side is free
 *     and a buffer is empty; c T rowWords <= capacity (a simulation assertion checks it).
 *   load (Decoupled, in): the band's map rows, channels ascending, rows rowLo..rowHi-1 of each,
 *     a row in ceil(w / loadWords) beats of loadWords consecutive columns (words past the row
 *     end in its last beat are ignored).
 *   out (Decoupled, out): as InputTiler's: per band, tiles tx = 0..tilesX-1, channels ascending
 *     inside a tile, rows 0..T-1 of each; `first` on row 0 of a channel-tile, `last` on the last
 *     row of a `last` band; row[b] is map column tx T - p + b of band row a (0 outside the map).
 *   idle: no band held, loading or waiting at the output.
 *
 * Storage: as InputTiler's, T banks by column (column x in bank x mod T, word floor(x / T) of
 * its row), so a tile row is one read per bank; band row a of channel ch at bank word
 * (ch T + a) rowWords of its buffer, so the tiling reads rows at a constant stride (no
 * multiplier) and the load skips the padding rows; with run-time p, bank j serves output column
 * b = (j + p) mod T at word tx - [j + p >= T], and the outputs are rotated by p after the read.
 * Reads are registered (block RAM); the output register is the read register, so a row per
 * clock comes out while out_ready is high.
 *
 * Rates: a band takes max(tilesX c T rows, c (rowHi - rowLo) ceil(w / loadWords) beats) clocks
 * with both sides never waiting (the load of band n+1 overlaps the tiling of band n).
 *
 * Cost (VGG16 class: T = 6, 16-bit words, maxChannels 512, maxWidth 224, capacity 15,360,
 * loadWords 6; native Yosys 0.23 synth_xilinx, xc7): 2,239 LUT, 198 FF, 2 DSP48E1 (the two small
 * products when a band is taken), 90 RAMB36 (two buffers of 6 banks x 15,360 words), 1,183 MUXF7/8
 * (the rotation by p and the beat-to-bank routing).
 */
import { Bool, Bundle, Decoupled, Flipped, Input, Mem, Output, Reg, SInt, UInt, Vec, assert, constant, defineModule, log2Ceil, mux, when, type Signal } from "../../core";
import { bitsFor, checkParams, isIntIn } from "../generator-params";

export interface BandTilerParams {
  /** tile size T = K - k + 1 */
  readonly T: number;
  readonly actBits: number;
  readonly maxChannels: number;
  readonly maxWidth: number;
  /** words per bank of one band buffer; default maxChannels T ceil(maxWidth / T), every shape */
  readonly capacity?: number;
  /** columns per load beat, 1..T. Default 1 */
  readonly loadWords?: number;
}

/** Largest tilesX for a map of maxWidth columns (k = 1, p = T - 1). */
export function maxTilesX(p: Pick<BandTilerParams, "T" | "maxWidth">): number {
  return Math.ceil((p.maxWidth + 2 * (p.T - 1)) / p.T);
}

/** The band command bundle. */
export function bandCommandType(p: BandTilerParams) {
  return Bundle({
    c: UInt(bitsFor(p.maxChannels)),
    w: UInt(bitsFor(p.maxWidth)),
    rowWords: UInt(bitsFor(Math.ceil(p.maxWidth / p.T))),
    p: UInt(bitsFor(p.T - 1)),
    tilesX: UInt(bitsFor(maxTilesX(p))),
    rowLo: UInt(bitsFor(p.T)),
    rowHi: UInt(bitsFor(p.T)),
    last: Bool(),
  });
}

const BAND_FIELDS = ["c", "w", "rowWords", "p", "tilesX", "rowLo", "rowHi", "last"] as const;
type BandFields = Record<(typeof BAND_FIELDS)[number], Signal>;

export const BandTiler = defineModule("BandTiler", (p: BandTilerParams) => {
  const { T, actBits: bits } = p;
  const loadWords = p.loadWords ?? 1;
  checkParams([
    [isIntIn(T, 1, 64), `T must be an integer in 1..64, got ${T}`],
    [isIntIn(bits, 2, 32), `actBits must be an integer in 2..32, got ${bits}`],
    [isIntIn(p.maxChannels, 1, 65535) && isIntIn(p.maxWidth, 1, 65535), "maxChannels and maxWidth must be integers in 1..65535"],
    [isIntIn(loadWords, 1, T), `loadWords = ${loadWords} must be an integer in 1..T (T = ${T}): a beat's columns must fall in distinct banks`],
  ]);
  const words = Math.ceil(p.maxWidth / T); // words of the widest row in each bank
  const bufferWords = p.capacity ?? p.maxChannels * T * words;
  checkParams([[isIntIn(bufferWords, T * words, 2 ** 24), `capacity = ${bufferWords} must be an integer in T ceil(maxWidth / T) = ${T * words}..2^24 (one channel of the widest map)`]]);
  const aw = log2Ceil(2 * bufferWords);
  const tb = bitsFor(T - 1);

  const band = Input(Decoupled(bandCommandType(p)));
  const load = Input(Bundle({ valid: Bool(), ready: Flipped(Bool()), data: Vec(loadWords, SInt(bits)) }));
  const out = Output(Bundle({ valid: Bool(), ready: Flipped(Bool()), first: Bool(), last: Bool(), row: Vec(T, SInt(bits)) }));
  const idle = Output(Bool());

  const banks = Array.from({ length: T }, (_, j) => Mem(2 * bufferWords, SInt(bits), { name: `x_bank${j}` }));
  const full = Reg(Vec(2, Bool()), { init: 0 });
  // the band each buffer holds, and its fields for a buffer chosen at run time
  const cmds = [0, 1].map((b) => Reg(bandCommandType(p), { name: `band_cmd${b}` }));
  const held = (b: Signal): BandFields => Object.fromEntries(BAND_FIELDS.map((f) => [f, mux(b, cmds[1]![f], cmds[0]![f])])) as BandFields;

  // ---- load side: one band into buffer lBuf ----
  const lBuf = Reg(Bool(), { init: 0 });
  const loading = Reg(Bool(), { init: 0 });
  const lc = held(lBuf);
  const lCh = Reg(UInt(bitsFor(p.maxChannels - 1)), { init: 0, name: "load_channel" });
  const lRow = Reg(UInt(tb), { init: 0, name: "load_row" }); // band row rowLo..rowHi-1
  const lCol = Reg(UInt(bitsFor(p.maxWidth + loadWords)), { init: 0, name: "load_col" }); // the beat's first column
  const lPhase = Reg(UInt(tb), { init: 0, name: "load_phase" }); // lCol mod T
  const lWord = Reg(UInt(bitsFor(words)), { init: 0, name: "load_word" }); // floor(lCol / T)
  const lRowAddr = Reg(UInt(aw), { init: 0, name: "load_row_address" }); // word 0 of the row, buffer included
  const lSkip = Reg(UInt(aw), { init: 0, name: "load_skip" }); // last row of a channel -> first of the next

  band.ready.assign(loading.not().and(full.at(lBuf).not()));
  const take = band.valid.and(band.ready);
  const bufferBase = (b: Signal): Signal => mux(b, constant(bufferWords, UInt(aw)), constant(0, UInt(aw)));
  const bb = band.bits;
  when(take, () => {
    for (const [b, c] of cmds.entries()) when(lBuf.eq(b), () => BAND_FIELDS.forEach((f) => c[f].assign(bb[f])));
    // a band of padding only has no rows to load: its buffer is ready at once
    when(bb.rowLo.eq(bb.rowHi), () => {
      full.at(lBuf).assign(1);
      lBuf.assign(lBuf.not());
    }).otherwise(() => loading.assign(1));
    lCh.assign(0);
    lRow.assign(bb.rowLo.resize(tb));
    // small products: a band-row count (< T + 2) times rowWords
    lRowAddr.assign(bufferBase(lBuf).addWrap(bb.rowLo.mul(bb.rowWords).resize(aw)));
    lSkip.assign(constant(T + 1, UInt(tb + 2)).sub(bb.rowHi).add(bb.rowLo).resize(tb + 2).mul(bb.rowWords).resize(aw));
  });
  assert(band.valid.not().or(bb.c.zext(aw + 8).mul(bb.rowWords).mul(T).le(bufferWords)), "band: c T rowWords words fit the band buffer (capacity)");
  assert(band.valid.not().or(band.bits.c.neq(0).and(band.bits.c.le(p.maxChannels)).and(band.bits.w.neq(0)).and(band.bits.w.le(p.maxWidth))), "band: c and w within 1..maxChannels and 1..maxWidth");
  assert(band.valid.not().or(band.bits.p.lt(T).and(band.bits.rowLo.le(band.bits.rowHi)).and(band.bits.rowHi.le(T)).and(band.bits.tilesX.neq(0))), "band: p < T, rowLo <= rowHi <= T, tilesX >= 1");

  load.ready.assign(loading);
  const accept = load.valid.and(load.ready);
  const lastBeat = lCol.add(loadWords).ge(lc.w);
  const lastRow = lRow.add(1).eq(lc.rowHi);
  const lastChannel = lCh.add(1).eq(lc.c);
  const nextPhase = lPhase.add(loadWords);
  const wrap = nextPhase.ge(T);
  when(accept, () => {
    lCol.assign(mux(lastBeat, 0, lCol.add(loadWords).resize(lCol.width)));
    lPhase.assign(mux(lastBeat, 0, mux(wrap, nextPhase.subWrap(T), nextPhase).resize(tb)));
    lWord.assign(mux(lastBeat, 0, lWord.addWrap(wrap.zext(lWord.width))));
    when(lastBeat, () => {
      when(lastRow, () => {
        lRowAddr.assign(lRowAddr.addWrap(lSkip));
        lRow.assign(lc.rowLo.resize(tb));
        lCh.assign(lCh.addWrap(1));
        when(lastChannel, () => {
          full.at(lBuf).assign(1);
          lBuf.assign(lBuf.not());
          loading.assign(0);
        });
      }).otherwise(() => {
        lRowAddr.assign(lRowAddr.addWrap(lc.rowWords.zext(aw)));
        lRow.assign(lRow.addWrap(1));
      });
    });
  });
  // bank j takes word (j - lPhase) mod T of the beat, in the next bank word when j < lPhase
  for (let j = 0; j < T; j++) {
    const wraps = lPhase.gt(j);
    const q = mux(wraps, constant(j + T, UInt(tb + 1)), constant(j, UInt(tb + 1))).subWrap(lPhase).resize(tb);
    const inRow = lCol.add(q).lt(lc.w);
    const taken = loadWords === T ? inRow : q.lt(loadWords).and(inRow);
    const addr = lRowAddr.addWrap(lWord.zext(aw)).addWrap(wraps.zext(aw));
    when(accept.and(taken), () => banks[j]!.write(addr, loadWords === 1 ? load.data.at(0) : load.data.at(q)));
  }

  // ---- tiling side: band rBuf, tile tx, channel ci, row a ----
  const rBuf = Reg(Bool(), { init: 0 });
  const rc = held(rBuf);
  const a = Reg(UInt(tb), { init: 0, name: "tile_row" });
  const ci = Reg(UInt(bitsFor(p.maxChannels - 1)), { init: 0, name: "channel" });
  const tx = Reg(UInt(bitsFor(maxTilesX(p) - 1)), { init: 0, name: "tile_x" });
  const outHeld = Reg(Bool(), { init: 0 }); // the output register holds a row
  const rRowAddr = Reg(UInt(aw), { init: 0, name: "row_address" }); // word 0 of band row a of channel ci
  const fetch = full.at(rBuf).and(outHeld.not().or(out.ready));
  const lastA = a.eq(T - 1);
  const lastCi = ci.add(1).eq(rc.c);
  const lastTx = tx.add(1).eq(rc.tilesX);
  const bandEnd = lastA.and(lastCi).and(lastTx);
  when(fetch, () => {
    // rows of consecutive channels are consecutive: one stride, back to the band's start per tile
    rRowAddr.assign(mux(lastA.and(lastCi), bufferBase(mux(bandEnd, rBuf.not(), rBuf)), rRowAddr.addWrap(rc.rowWords.zext(aw))));
    a.assign(mux(lastA, 0, a.addWrap(1)));
    when(lastA, () => {
      ci.assign(mux(lastCi, 0, ci.addWrap(1)));
      when(lastCi, () => tx.assign(mux(lastTx, 0, tx.addWrap(1))));
    });
    // the last row is in the output register once read: the buffer is free again
    when(bandEnd, () => {
      full.at(rBuf).assign(0);
      rBuf.assign(rBuf.not());
    });
  });

  // ---- bank reads into the output register, then the rotation by p ----
  const rowInside = a.ge(rc.rowLo).and(a.lt(rc.rowHi));
  const colBits = bitsFor(maxTilesX(p) * T + T) + 1;
  const colBase = tx.zext(colBits).mul(T).resize(colBits).asSInt().sub(rc.p.zext(colBits).asSInt()); // map column of output 0
  const inside = Reg(Vec(T, Bool()), { init: 0, name: "inside" });
  const rotate = Reg(UInt(tb), { init: 0, name: "rotate" });
  const read = Array.from({ length: T }, (_, j) => {
    // bank j holds output column b = (j + p) mod T, at word tx - 1 when j + p >= T
    const behind = rc.p.zext(tb + 1).add(j).ge(T);
    const addr = rRowAddr.addWrap(tx.zext(aw)).subWrap(behind.zext(aw));
    return banks[j]!.readSync(addr, { enable: fetch, name: `word${j}` });
  });
  for (let b = 0; b < T; b++) {
    const col = colBase.add(b);
    when(fetch, () => inside.at(b).assign(rowInside.and(col.ge(0)).and(col.lt(rc.w.zext(colBits).asSInt()))));
    // output b is bank (b - p) mod T
    let value: Signal = read[b]!;
    for (let r = 1; r < T; r++) value = mux(rotate.eq(r), read[(b - r + T) % T]!, value);
    out.row.at(b).assign(mux(inside.at(b), value, 0));
  }
  const first = Reg(Bool(), { init: 0 });
  const last = Reg(Bool(), { init: 0 });
  when(fetch, () => {
    outHeld.assign(1);
    first.assign(a.eq(0));
    last.assign(bandEnd.and(rc.last));
    rotate.assign(rc.p.resize(tb));
  }).elsewhen(out.ready, () => outHeld.assign(0));
  out.valid.assign(outHeld);
  out.first.assign(first);
  out.last.assign(last);

  idle.assign(full.at(0).or(full.at(1)).or(outHeld).or(loading).not());
  return { band, load, out, idle };
}, {
  moduleName: (p) => `BandTiler_T${p.T}_c${p.maxChannels}_w${p.maxWidth}_b${p.actBits}_l${p.loadWords ?? 1}`,
});
