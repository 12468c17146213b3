/**
 * InputTiler { layer, lanes = 1, lane = 0, loadWords = 1 }: a double-buffered input-map buffer
 * and tiler for one lane of the front end. It holds the input channels i ≡ lane (mod lanes)
 * (lanes.ts) and produces the rows of every zero-padded T x T tile of them, in the order the
 * golden model cuts its tiles (step 1 of goldenConvLayer), for a batch of images back to back.
 *
 * Ports
 *   load_valid, load_ready (out), load_data[0..loadWords-1]: the lane's channels of one image in
 *     raster order (its channels ascending, rows, columns); a beat carries loadWords consecutive
 *     columns of one row, a row takes ceil(W / loadWords) beats, words past the row end in its
 *     last beat are ignored. load_ready is high whenever a buffer is free.
 *   out_valid, out_ready (in), out_first (row 0 of a channel-tile), out_last (the image's last
 *     row), out_row[0..T-1]: per image, tiles in raster order, the lane's channels ascending
 *     inside a tile, rows 0..T-1 of each; images back to back.
 *   idle: no image, not even part of one, is held and no row waits at the output (a batch is
 *     through once idle is high after its last load beat).
 *
 * Storage: two image buffers in T banks by column (column c in bank c mod T, word floor(c / T) of
 * its row), so the T columns of a tile row are one read per bank. A load beat's loadWords <= T
 * consecutive columns fall in distinct banks, so it is one write per bank. Since tx*T - p is the
 * same modulo T for every tile, output column b always reads bank (b - p) mod T at word
 * tx + floor((b - p) / T) of the row: constants, no division.
 *
 * Reads are registered (a synchronous read port with enable, the memory's output register is
 * the output row): the shape block RAM needs for VGG-size maps, at one row per clock, since the
 * next row is read on the same edge that hands the current one over (out_ready feeds the read
 * enable). The buffers hold 2 x C x H x ceil(W/T) words per bank (C = the lane's channels).
 *
 * Timing: tiling of an image starts once it is fully loaded: its first row is valid
 * INPUT_TILER_LATENCY = 2 cycles after the cycle of its last load beat, or, back to back, on the
 * cycle after the previous image's last row if it was loaded by then. Rates (exported below):
 * inputTilerRowsPerImage rows, inputTilerLoadBeatsPerImage beats; with load_valid and out_ready
 * always high an image takes max(rows, beats) cycles and rows come out one per clock across image
 * boundaries whenever beats <= rows (checked in test/spec2/input-tiler.test.ts).
 *
 * Cost (LeNet conv2: 6 x 12x12, k5, K8, T = 4; native Yosys 0.23 synth_xilinx, xc7): lanes 1,
 * loadWords 1: 171 LUT, 54 FF, 4 RAMB18 (one per bank), no LUT RAM; loadWords 4: 155 LUT, 50 FF;
 * lane 0 of 2, loadWords 2: 225 LUT, 49 FF, 4 RAMB18. The single-image tiler before it (one
 * buffer, asynchronous reads) took 227 LUT, 30 FF, 384 LUT-RAM LUTs.
 */
import { Bool, Bundle, Flipped, Input, Mem, Output, Reg, SInt, UInt, Vec, constant, defineModule, log2Ceil, mux, when, type Var } from "../core";
import { CounterChain, assertStreamRules } from "../lib";
import { makePlan, type ConvPlan, type ConvShape } from "../../spectral/conv";
import type { FixedLayer } from "../../spectral/fixed";
import { counter, within, wrapInc } from "./counters";
import { checkParams, isIntIn } from "./generator-params";
import { laneChannels, laneRequirements } from "./lanes";

export interface InputTilerParams {
  readonly layer: FixedLayer;
  /** tilers in the front end; this one holds input channels i ≡ lane (mod lanes). Default 1 */
  readonly lanes?: number;
  /** which of them, 0..lanes-1. Default 0 */
  readonly lane?: number;
  /** columns per load beat, 1..T. Default 1 */
  readonly loadWords?: number;
}

/** Cycles from the cycle of an image's last load beat to its first row at the output (tiler idle). */
export const INPUT_TILER_LATENCY = 2;

interface Geometry {
  readonly pl: ConvPlan;
  readonly lanes: number;
  readonly lane: number;
  readonly loadWords: number;
  /** input channels of this lane */
  readonly channels: number;
  /** words per input row and bank */
  readonly words: number;
  /** words per image buffer and bank */
  readonly imageWords: number;
  /** load beats per input row */
  readonly beats: number;
}

/** What the rate functions need: the layer's shape and the lane (the weights do not matter). */
export type InputTilerShape = Omit<InputTilerParams, "layer"> & { readonly layer: ConvShape };

function geometry(p: InputTilerShape): Geometry {
  const pl = makePlan(p.layer);
  const lanes = p.lanes ?? 1;
  const lane = p.lane ?? 0;
  const loadWords = p.loadWords ?? 1;
  const channels = laneChannels(pl.cin, lanes, lane);
  const words = Math.ceil(pl.w / pl.T);
  return { pl, lanes, lane, loadWords, channels, words, imageWords: channels * pl.h * words, beats: Math.ceil(pl.w / loadWords) };
}

/** Rows of one tile: the lane's channels x T. */
export function inputTilerRowsPerTile(p: InputTilerShape): number {
  const g = geometry(p);
  return g.channels * g.pl.T;
}

/** Rows of one image: tilesY x tilesX tiles. */
export function inputTilerRowsPerImage(p: InputTilerShape): number {
  const { tilesX, tilesY } = makePlan(p.layer);
  return tilesX * tilesY * inputTilerRowsPerTile(p);
}

/** Load beats of one image: the lane's channels x H rows x ceil(W / loadWords). */
export function inputTilerLoadBeatsPerImage(p: InputTilerShape): number {
  const g = geometry(p);
  return g.channels * g.pl.h * g.beats;
}

/** Cycles per image in a batch with load_valid and out_ready always high: the slower of the two sides. */
export function inputTilerCyclesPerImage(p: InputTilerShape): number {
  return Math.max(inputTilerRowsPerImage(p), inputTilerLoadBeatsPerImage(p));
}

export const InputTiler = defineModule(
  "InputTiler",
  (p: InputTilerParams) => {
    const g = geometry(p);
    const { pl, loadWords, channels, words, imageWords, beats } = g;
    const { cin, h, w, p: pad, T, tilesX, tilesY } = pl;
    checkParams([
      ...laneRequirements(g.lanes, g.lane, cin, "input channels"),
      [isIntIn(loadWords, 1, T), `loadWords = ${loadWords} must be an integer in 1..T (T = ${T}): a beat's columns must fall in distinct banks`],
    ]);
    const bits = p.layer.formats.actBits;
    const aw = log2Ceil(2 * imageWords);
    const tb = log2Ceil(T);

    const load = Input(Bundle({ valid: Bool(), ready: Flipped(Bool()), data: Vec(loadWords, SInt(bits)) }));
    const out = Output(Bundle({ valid: Bool(), ready: Flipped(Bool()), first: Bool(), last: Bool(), row: Vec(T, SInt(bits)) }));
    const idle = Output(Bool());

    // ---- image buffers: buffer q holds words q*imageWords .. (q+1)*imageWords-1 of every bank ----
    const banks = Array.from({ length: T }, (_, b) => Mem(2 * imageWords, SInt(bits), { name: `x_bank${b}` }));
    const full = Reg(Vec(2, Bool()), { init: 0 });

    // ---- load: beat lBeat of row lRow; the beat's first column is lWord*T + lPhase ----
    const lBuf = Reg(Bool(), { init: 0 });
    const lRow = counter(channels * h, "load_row");
    const lBeat = counter(beats, "load_beat");
    const lPhase = counter(T, "load_phase");
    const lWord = counter(words, "load_word");
    const lRowAddr = counter(2 * imageWords, "load_row_address"); // word 0 of the row, buffer included
    const accept = load.valid.and(load.ready);
    const lastBeat = lBeat.eq(beats - 1);
    const imageLoaded = accept.and(lastBeat).and(lRow.eq(channels * h - 1));
    load.ready.assign(full.at(lBuf).not());
    const nextPhase = lPhase.add(loadWords);
    const wrap = nextPhase.ge(T);
    when(accept, () => {
      lBeat.assign(wrapInc(lBeat, beats));
      lPhase.assign(mux(lastBeat, 0, mux(wrap, nextPhase.subWrap(T), nextPhase).resize(tb)));
      lWord.assign(mux(lastBeat, 0, lWord.addWrap(wrap.zext(lWord.width))));
      when(lastBeat, () => {
        lRow.assign(wrapInc(lRow, channels * h));
        lRowAddr.assign(lRowAddr.addWrap(words));
      });
      when(imageLoaded, () => {
        full.at(lBuf).assign(1);
        lBuf.assign(lBuf.not());
        lRowAddr.assign(mux(lBuf, 0, imageWords));
      });
    });
    // Bank b takes word j = (b - lPhase) mod T of the beat, of the next bank word if b < lPhase.
    const lastWords = w - (beats - 1) * loadWords;
    for (let b = 0; b < T; b++) {
      const wraps = b === T - 1 ? constant(0, Bool()) : lPhase.gt(b);
      const j = mux(wraps, constant(b + T, UInt(tb + 1)), constant(b, UInt(tb + 1))).subWrap(lPhase).resize(tb);
      const takes = j.lt(mux(lastBeat, lastWords, loadWords));
      const addr = lRowAddr.addWrap(lWord.zext(aw)).addWrap(wraps.zext(aw));
      when(accept.and(takes), () => banks[b]!.write(addr, load.data.at(j)));
    }

    // ---- tiling: tile (ty, tx), local channel ci, tile row a of buffer rBuf ----
    const rBuf = Reg(Bool(), { init: 0 });
    const rowBits = log2Ceil(tilesY * T + pad + 1) + 1;
    const rowTop = Reg(SInt(rowBits), { init: -pad }); // ty*T - p: the tile's first input row
    // rBuf's base + (ci*h + rowTop + a)*words + tx, modulo 2^aw: exact whenever the row is inside
    // the image, kept by constant steps instead of multipliers.
    const modAw = (x: number): number => ((x % 2 ** aw) + 2 ** aw) % 2 ** aw;
    const rowAddr = Reg(UInt(aw), { init: modAw(-pad * words), name: "row_address" });
    const held = Reg(Bool(), { init: 0 }); // the output register holds a row
    const fetch = full.at(rBuf).and(held.not().or(out.ready));
    const loop = CounterChain([T, channels, tilesX, tilesY], { enable: fetch, name: ["tile_row", "channel", "tile_x", "tile_y"] });
    const [a, ci, tx, ty] = loop.counters.map((c) => c.value) as [Var, Var, Var, Var];
    const lastA = a.eq(T - 1);
    const lastCi = ci.eq(channels - 1);
    const lastTx = tx.eq(tilesX - 1);
    const lastTy = ty.eq(tilesY - 1);
    const tileEnd = lastA.and(lastCi);
    const imageEnd = tileEnd.and(lastTx).and(lastTy);
    const backToChannel0 = -((channels - 1) * h + (T - 1)) * words;
    when(fetch, () => {
      when(loop.counters[2]!.wrap, () => rowTop.assign(mux(lastTy, -pad, rowTop.add(T).resize(rowBits))));
      when(imageEnd, () => rowAddr.assign(mux(rBuf, modAw(-pad * words), modAw(imageWords - pad * words))))
        .elsewhen(tileEnd.and(lastTx), () => rowAddr.assign(rowAddr.addWrap(modAw(backToChannel0 + T * words - (tilesX - 1)))))
        .elsewhen(tileEnd, () => rowAddr.assign(rowAddr.addWrap(modAw(backToChannel0 + 1))))
        .elsewhen(lastA, () => rowAddr.assign(rowAddr.addWrap(modAw((h - (T - 1)) * words))))
        .otherwise(() => rowAddr.assign(rowAddr.addWrap(words)));
      // The last row's words are in the output register once read: the buffer is free again.
      when(imageEnd, () => {
        full.at(rBuf).assign(0);
        rBuf.assign(rBuf.not());
      });
    });

    // ---- bank reads into the output register ----
    const rr = rowTop.add(a.zext(a.width + 1).asSInt()); // input row, may lie in the padding
    const rowInside = rr.ge(0).and(rr.lt(h));
    const rows = Reg(Vec(T, Bool()), { init: 0, name: "inside" }); // the word is inside the image (else padding)
    for (let b = 0; b < T; b++) {
      // column c = tx*T - p + b is inside if 0 <= c < w; its word of the row is tx + floor((b - p) / T)
      const colInside = within(tx, Math.ceil((pad - b) / T), Math.floor((w - 1 + pad - b) / T), tilesX);
      const addr = rowAddr.addWrap(modAw(Math.floor((b - pad) / T)));
      const value = banks[((b - pad) % T + T) % T]!.readSync(addr, { enable: fetch, name: `word${b}` });
      when(fetch, () => rows.at(b).assign(rowInside.and(colInside)));
      out.row.at(b).assign(mux(rows.at(b), value, 0));
    }
    const first = Reg(Bool(), { init: 0 });
    const last = Reg(Bool(), { init: 0 });
    when(fetch, () => {
      held.assign(1);
      first.assign(a.eq(0));
      last.assign(imageEnd);
    }).elsewhen(out.ready, () => held.assign(0));
    out.valid.assign(held);
    out.first.assign(first);
    out.last.assign(last);
    assertStreamRules({ valid: out.valid, ready: out.ready, bits: { first: out.first, last: out.last, row: out.row } }, "out");

    // ---- idle: nothing loaded, nothing being loaded, nothing waiting ----
    idle.assign(full.at(0).or(full.at(1)).or(held).or(lRow.neq(0)).or(lBeat.neq(0)).not());
    return { load, out, idle };
  },
  {
    moduleName: (p) => {
      const { cin, h, w, k, p: pad, K } = p.layer;
      return `InputTiler_c${cin}_${h}x${w}_k${k}p${pad}_K${K}_lane${p.lane ?? 0}of${p.lanes ?? 1}_w${p.loadWords ?? 1}`;
    },
  },
);
