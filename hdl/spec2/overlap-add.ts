/**
 * Overlap-and-add with bias, optional ReLU and saturation (golden: steps 6-7 of
 * goldenConvLayer). Block rows arrive one per clock, K values wide, in the order
 * tile (raster) > output channel > row, as the IFFT produces them.
 *
 * Storage: the sum map Z of every output channel over a band of R = 2K rows
 * (row z lives at physical row z mod R), split into K banks by column (column
 * x in bank x mod K), so the K columns of one block row hit K different banks:
 * one read-add-write per bank per clock, with no hazard (the read is
 * asynchronous and the write lands on the same edge). The first block to touch
 * a position writes instead of adding, so nothing needs clearing.
 *
 * Rows ty*T .. ty*T+T-1 are final once tile row ty is done; they are emitted
 * (cropped, bias, ReLU, saturation), K columns per clock, while tile row ty+1
 * accumulates. With R = 2K, tile row ty+1 never writes them; tile row ty+2
 * could, so emission must end before that (it needs T*Cout*ceil(Wo/K) cycles
 * against at least tilesX*Cout*K for a tile row): `overrun` latches if not.
 */
import {
  Bool, Input, Mem, Output, Reg, Rom, SInt, UInt, Vec, cat, constant, defineModule, log2Ceil, mux, when, type Signal, type Var,
} from "../core";
import { makePlan } from "../../spectral/conv";
import type { FixedLayer } from "../../spectral/fixed";
import { saturate } from "./fixed";

/** Width of the exact overlap-add sums: at most ceil(K/T)^2 blocks overlap. */
export function sumBits(K: number, T: number, ifftBits: number): number {
  const overlap = Math.ceil(K / T);
  return ifftBits + Math.ceil(Math.log2(overlap * overlap));
}

/** A register counting 0..limit-1 (wrapping is up to the user). */
function counter(limit: number, name: string): Var {
  return Reg(UInt(log2Ceil(limit)), { init: 0, name });
}

export const OverlapAdd = defineModule(
  "OverlapAdd",
  (layer: FixedLayer) => {
    const pl = makePlan(layer);
    const { K, T, k, cout, ho, wo, tilesX, tilesY } = pl;
    const f = layer.formats;
    const R = 2 * K;
    const segments = Math.ceil(((tilesX - 1) * T + K) / K); // words per band row and bank
    const zBits = sumBits(K, T, f.ifftBits);
    const depth = cout * R * segments;
    const lk = Math.log2(K);

    const inValid = Input(Bool(), { name: "in_valid" });
    const inRow = Input(Vec(K, SInt(f.ifftBits)), { name: "in_row" });
    const outValid = Output(Bool(), { name: "out_valid" });
    const outChannel = Output(UInt(log2Ceil(cout)), { name: "out_channel" });
    const outRow = Output(UInt(log2Ceil(ho)), { name: "out_row" });
    const outCol = Output(UInt(log2Ceil(wo)), { name: "out_col" });
    const outMask = Output(UInt(K), { name: "out_mask" });
    const outValues = Output(Vec(K, SInt(f.actBits)), { name: "out_values" });
    const overrun = Output(Bool());

    // Position of the incoming row: row r of the block of channel o at tile (ty, tx).
    const r = counter(K, "row");
    const o = counter(cout, "channel");
    const tx = counter(tilesX, "tileX");
    const ty = counter(tilesY, "tileY");
    const colBase = Reg(UInt(log2Ceil((tilesX - 1) * T + 1)), { init: 0 }); // tx * T
    const rowBase = Reg(UInt(log2Ceil((tilesY - 1) * T + 1)), { init: 0 }); // ty * T

    const lastRow = r.eq(K - 1);
    const lastChannel = o.eq(cout - 1);
    const lastTileX = tx.eq(tilesX - 1);
    const lastTileY = ty.eq(tilesY - 1);
    when(inValid, () => {
      r.assign(mux(lastRow, 0, r.addWrap(1)));
      when(lastRow, () => {
        o.assign(mux(lastChannel, 0, o.addWrap(1)));
        when(lastChannel, () => {
          tx.assign(mux(lastTileX, 0, tx.addWrap(1)));
          colBase.assign(mux(lastTileX, 0, colBase.add(T).resize(colBase.width)));
          when(lastTileX, () => {
            ty.assign(mux(lastTileY, 0, ty.addWrap(1)));
            rowBase.assign(mux(lastTileY, 0, rowBase.add(T).resize(rowBase.width)));
          });
        });
      });
    });

    const banks = Array.from({ length: K }, (_, b) => Mem(depth, SInt(zBits), { name: `z_bank${b}` }));
    const physRow = (z: Signal): Signal => z.resize(Math.log2(R));
    const address = (channel: Signal, zRow: Signal, x: Signal): Signal =>
      channel.mul(R * segments).add(physRow(zRow).mul(segments)).add(x.shr(lk)).resize(log2Ceil(depth));

    // Accumulate: bank b takes column c = (b - colBase) mod K of the row.
    const zRow = rowBase.add(r);
    const firstRow = ty.eq(0).or(r.ge(K - T));
    for (let b = 0; b < K; b++) {
      const c = constant(b, UInt(lk + 1)).subWrap(colBase.resize(lk + 1)).resize(lk).named(`col${b}`);
      const x = colBase.add(c);
      const value = inRow.at(c);
      const first = firstRow.and(tx.eq(0).or(c.ge(K - T)));
      const addr = address(o, zRow, x);
      const old = banks[b]!.readAsync(addr);
      const sum = mux(first, value.pad(zBits), old.add(value).resize(zBits));
      when(inValid, () => banks[b]!.write(addr, sum));
    }

    // Emission of the final rows of a tile row: channel, band row, column segment.
    const bandDone = inValid.and(lastRow).and(lastChannel).and(lastTileX);
    const emitting = Reg(Bool(), { init: 0 });
    const eChannel = counter(cout, "emitChannel");
    const eRow = counter(T, "emitRow");
    const eSeg = counter(Math.ceil(wo / K), "emitSegment");
    const eBase = Reg(UInt(log2Ceil((tilesY - 1) * T + 1)), { init: 0 });
    const overrunFlag = Reg(Bool(), { init: 0 });
    const lastSeg = eSeg.eq(Math.ceil(wo / K) - 1);
    const lastBandRow = eRow.eq(T - 1);
    const lastEChannel = eChannel.eq(cout - 1);
    const z = eBase.add(eRow);
    // Output row z - (k-1) must be in 0..ho-1.
    const rowInRange = z.ge(k - 1).and(z.lt(k - 1 + ho));
    when(bandDone, () => {
      when(emitting, () => overrunFlag.assign(1));
      emitting.assign(1);
      eBase.assign(rowBase);
    });
    when(emitting, () => {
      // Rows outside the output are skipped in one cycle.
      eSeg.assign(mux(lastSeg.or(rowInRange.not()), 0, eSeg.addWrap(1)));
      when(lastSeg.or(rowInRange.not()), () => {
        eRow.assign(mux(lastBandRow, 0, eRow.addWrap(1)));
        when(lastBandRow, () => {
          eChannel.assign(mux(lastEChannel, 0, eChannel.addWrap(1)));
          when(lastEChannel, () => emitting.assign(0));
        });
      });
    });

    const biasRom = Rom(SInt(f.actBits), layer.bias);
    const bias = biasRom.readAsync(eChannel);
    const outRowValue = z.subWrap(k - 1).resize(outRow.width);
    const firstCol = eSeg.mul(K).resize(log2Ceil(wo + K));
    const vValid = Reg(Bool(), { init: 0 });
    vValid.assign(emitting.and(rowInRange));
    const vChannel = Reg(UInt(outChannel.width), { init: 0 });
    const vRow = Reg(UInt(outRow.width), { init: 0 });
    const vCol = Reg(UInt(outCol.width), { init: 0 });
    const vMask = Reg(UInt(K), { init: 0 });
    vChannel.assign(eChannel);
    vRow.assign(outRowValue);
    vCol.assign(firstCol.resize(outCol.width));
    const maskBits: Signal[] = [];
    for (let j = 0; j < K; j++) {
      const x = firstCol.add(k - 1 + j);
      const bank = (k - 1 + j) % K;
      const word = banks[bank]!.readAsync(address(eChannel, z, x));
      const total = word.add(bias);
      const relu = layer.relu ? mux(total.lt(0), 0, total) : total;
      const inside = firstCol.add(j).lt(wo);
      const v = Reg(SInt(f.actBits), { name: `value${j}`, init: 0 });
      // Columns past the edge read nothing useful: they are zero and masked.
      v.assign(mux(inside.and(emitting).and(rowInRange), saturate(relu, f.actBits), 0));
      outValues.at(j).assign(v);
      maskBits.push(inside);
    }
    vMask.assign(cat(...[...maskBits].reverse()));
    outValid.assign(vValid);
    outChannel.assign(vChannel);
    outRow.assign(vRow);
    outCol.assign(vCol);
    outMask.assign(vMask);
    overrun.assign(overrunFlag);
    return { inValid, inRow, outValid, outChannel, outRow, outCol, outMask, outValues, overrun };
  },
  { moduleName: (layer) => `OverlapAdd_c${layer.cout}_${layer.h}x${layer.w}_k${layer.k}p${layer.p}_K${layer.K}` },
);
