/**
 * The input feature-map buffer and tiler. The host loads one input map (Cin x H
 * x W words, raster order i, r, c) through `load_*`; the tiler then produces the
 * rows of every T x T tile of the zero-padded input, tiles in raster order and
 * input channels inside each tile (golden: step 1 of goldenConvLayer).
 *
 * The buffer is split into T banks by column (column c in bank c mod T), so the
 * T columns of a tile row come from T different banks in one clock. Since
 * tx*T - p is the same modulo T for every tile, lane b always reads bank
 * (b - p) mod T at word tx + floor((b - p) / T): constants, no division.
 */
import { Bool, Input, Mem, Output, Reg, SInt, UInt, Vec, defineModule, log2Ceil, mux, when, type Signal } from "../core";
import { makePlan } from "../../spectral/conv";
import type { FixedLayer } from "../../spectral/fixed";

const mod = (a: number, m: number): number => ((a % m) + m) % m;

export const InputTiler = defineModule(
  "InputTiler",
  (layer: FixedLayer) => {
    const pl = makePlan(layer);
    const { cin, h, w, p, T, tilesX, tilesY } = pl;
    const bits = layer.formats.actBits;
    const words = Math.ceil(w / T); // words per row and bank
    const depth = cin * h * words;
    const aw = log2Ceil(depth);

    const loadValid = Input(Bool(), { name: "load_valid" });
    const loadReady = Output(Bool(), { name: "load_ready" });
    const loadData = Input(SInt(bits), { name: "load_data" });
    const outValid = Output(Bool(), { name: "out_valid" });
    const outReady = Input(Bool(), { name: "out_ready" });
    const outFirst = Output(Bool(), { name: "out_first" });
    const outRow = Output(Vec(T, SInt(bits)), { name: "out_row" });
    const done = Output(Bool());

    const banks = Array.from({ length: T }, (_, b) => Mem(depth, SInt(bits), { name: `x_bank${b}` }));

    // Loading: global row counter (i*h + r), column bank and word counters.
    const running = Reg(Bool(), { init: 0 });
    const finished = Reg(Bool(), { init: 0 });
    const lRow = Reg(UInt(log2Ceil(cin * h)), { init: 0 });
    const lBank = Reg(UInt(log2Ceil(T)), { init: 0 });
    const lWord = Reg(UInt(log2Ceil(words)), { init: 0 });
    const lCol = Reg(UInt(log2Ceil(w)), { init: 0 });
    const load = loadValid.and(loadReady);
    loadReady.assign(running.not());
    const lastCol = lCol.eq(w - 1);
    const lastBank = lBank.eq(T - 1);
    const lAddr = lRow.mul(words).add(lWord).resize(aw);
    for (let b = 0; b < T; b++) when(load.and(lBank.eq(b)), () => banks[b]!.write(lAddr, loadData));
    when(load, () => {
      lCol.assign(mux(lastCol, 0, lCol.addWrap(1)));
      lBank.assign(mux(lastCol.or(lastBank), 0, lBank.addWrap(1)));
      lWord.assign(mux(lastCol, 0, mux(lastBank, lWord.addWrap(1), lWord)));
      when(lastCol, () => {
        lRow.assign(mux(lRow.eq(cin * h - 1), 0, lRow.addWrap(1)));
        when(lRow.eq(cin * h - 1), () => {
          running.assign(1);
          finished.assign(0);
        });
      });
    });

    // Tiling: tile (ty, tx), channel i, row a of the tile.
    const a = Reg(UInt(log2Ceil(T)), { init: 0 });
    const i = Reg(UInt(log2Ceil(cin)), { init: 0 });
    const tx = Reg(UInt(log2Ceil(tilesX)), { init: 0 });
    const ty = Reg(UInt(log2Ceil(tilesY)), { init: 0 });
    const rowBits = log2Ceil(tilesY * T + p + 1) + 1;
    const rowTop = Reg(SInt(rowBits), { init: -p }); // ty*T - p
    const fire = outValid.and(outReady);
    const lastA = a.eq(T - 1);
    const lastI = i.eq(cin - 1);
    const lastTx = tx.eq(tilesX - 1);
    const lastTy = ty.eq(tilesY - 1);
    when(fire, () => {
      a.assign(mux(lastA, 0, a.addWrap(1)));
      when(lastA, () => {
        i.assign(mux(lastI, 0, i.addWrap(1)));
        when(lastI, () => {
          tx.assign(mux(lastTx, 0, tx.addWrap(1)));
          when(lastTx, () => {
            ty.assign(mux(lastTy, 0, ty.addWrap(1)));
            rowTop.assign(mux(lastTy, -p, rowTop.add(T).resize(rowBits)));
            when(lastTy, () => {
              running.assign(0);
              finished.assign(1);
            });
          });
        });
      });
    });
    outValid.assign(running);
    outFirst.assign(a.eq(0));
    done.assign(finished);

    const rr = rowTop.add(a.zext(a.width + 1).asSInt()); // input row, may lie in the padding
    const rowInside = rr.ge(0).and(rr.lt(h));
    const rowIndex = i.mul(h).add(rr.resize(log2Ceil(h) + 1).asUInt().trunc(log2Ceil(h))).resize(log2Ceil(cin * h));
    const rowBase = rowIndex.mul(words);
    for (let b = 0; b < T; b++) {
      const bank = mod(b - p, T);
      const offset = Math.floor((b - p) / T);
      // column c = tx*T - p + b; inside if 0 <= c < w
      const col = tx.mul(T).zext(log2Ceil(tilesX * T) + 1).asSInt().add(b - p);
      const colInside = col.ge(0).and(col.lt(w));
      const word = tx.zext(tx.width + 1).asSInt().add(offset);
      const addr: Signal = rowBase.add(word.resize(log2Ceil(words) + 1).asUInt().trunc(Math.max(1, log2Ceil(words)))).resize(aw);
      const value = banks[bank]!.readAsync(addr);
      outRow.at(b).assign(mux(running.and(rowInside).and(colInside), value, 0));
    }
    return { loadValid, loadReady, loadData, outValid, outReady, outFirst, outRow, done };
  },
  { moduleName: (layer) => `InputTiler_c${layer.cin}_${layer.h}x${layer.w}_k${layer.k}p${layer.p}_K${layer.K}` },
);
