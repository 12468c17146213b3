/**
 * OverlapAdd { layer, lanes = 1, lane = 0 }: overlap-and-add with bias, optional ReLU and
 * saturation (golden: steps 6-7 of goldenConvLayer) for one lane of output channels, the
 * channels o ≡ lane (mod lanes) (lanes.ts), fed by its own Ifft2d lane, images back to back.
 *
 * Ports
 *   in_valid, in_rows[s][0..K-1] (s = 0, 1): rows 2j and 2j+1 of a K x K block, j = 0..K/2-1 (K/2
 *     beats per block, at most one per clock, gaps allowed); blocks in the order image > tile
 *     (raster: tile row ty, tile column tx) > the lane's output channels ascending > pair j.
 *   out_valid, out_channel (global channel index), out_row, out_col, out_mask, out_values[0..K-1],
 *     out_last: output words out_col + i (those with bit i of out_mask) of row out_row; out_last
 *     with the image's last group. No back-pressure.
 *   overrun: latches if a band was finished before the previous band's emission ended (never,
 *     when overlapAddKeepsUp holds; the tests check both ways).
 *
 * Output order: images in order, never interleaved; inside an image, bands (tile rows ty) in
 * order; inside a band, the lane's channels ascending, then the band's output rows ascending, then
 * column groups out_col = 0, K, 2K, ... (out_mask is all ones but for the last group of a row).
 *
 * Storage: the sum map Z of every channel of the lane over a band of R = 2K rows, row z at physical
 * row z mod R, counted on across tile rows and images. Split into 2K banks by row parity and by
 * column (column x in bank x mod K): T is even (k is odd), so every tile row starts on an even
 * physical row and block row 2j + s always lands in the parity-s banks; the 2 x K words of a beat
 * hit 2K different banks, one read-add-write per bank per clock, no hazard (the read is
 * asynchronous and the write lands on the same edge). A logarithmic rotator per row turns block
 * column c to bank (tx*T + c) mod K. The first block to touch a position writes instead of adding,
 * so nothing needs clearing, also not between images. Each bank holds lane channels x K half-rows
 * x ceil(((tilesX-1)T + K)/K) words of sumBits (LUT RAM: two asynchronous reads, one write).
 *
 * Emission: rows ty*T .. ty*T+T-1 are final once tile row ty is in; they are emitted (cropped,
 * bias, ReLU, saturation), K columns per clock, while tile row ty+1 accumulates (R = 2K keeps
 * them apart: T + K - 1 < 2K). A band takes overlapAddBandCycles cycles: per lane channel, ceil(Wo/K)
 * per output row and 1 per row outside the output. Its first group is out OVERLAP_ADD_LATENCY
 * cycles after the band's last beat if its first row is an output row. Emission of band ty must end
 * no later than the last beat of tile row ty+1 (of the next image's tile row 0 after the last
 * band), so it can never fall behind if
 *     overlapAddEmitCyclesPerBand <= tilesX x (lane channels) x (cycles per block at the input),
 * i.e. about T x ceil(Wo/K) <= tilesX x K/2 at one beat per clock (overlapAddKeepsUp). Emission
 * moves K words per clock against 2K at the input, so a small kernel needs a slower input: k = 1
 * (T = K) needs K cycles per block; k = 3, K = 8 needs 5 (the Ifft2d's K/2 + 1) on the VGG16 maps
 * 224 .. 28 (4 suffices at 14); k = 3, K = 16 needs 12 at 224; k = 5, K = 8 (LeNet) keeps up at 4.
 *
 * Cost (LeNet conv2: 16 x 12x12, k5, K8; native Yosys 0.23 synth_xilinx, xc7): lanes 1: 2319 LUT,
 * 187 FF, 3072 LUT-RAM LUTs (768 RAM128X1D); one lane of 2: 1800 LUT, 183 FF, 1536 LUT-RAM LUTs.
 * The single-image unit before it (one block row per clock) took 2081 LUT, 178 FF, 3072 LUT-RAM
 * LUTs; a full per-bank crossbar instead of the rotators cost 3053 LUT.
 */
import {
  Bool, Bundle, Input, Mem, Output, Reg, RegNext, Rom, SInt, UInt, Vec, cat, constant, defineModule, log2Ceil, mux, when, type Memory, type SIntType, type Signal, type Var, type VecType, type VecValue,
} from "../core";
import { makePlan, type ConvPlan, type ConvShape } from "../../spectral/conv";
import type { FixedLayer } from "../../spectral/fixed";
import { atLeast, counter, wrapInc } from "./counters";
import { CounterChain } from "../lib";
import { saturate } from "./fixed";
import { checkParams } from "./generator-params";
import { laneChannels, laneRequirements } from "./lanes";

export interface OverlapAddParams {
  readonly layer: FixedLayer;
  /** overlap-add units after the IFFT lanes; this one takes output channels o ≡ lane (mod lanes). Default 1 */
  readonly lanes?: number;
  /** which of them, 0..lanes-1. Default 0 */
  readonly lane?: number;
}

/** Cycles from a band's last input beat to its first output group (when its first row is an output row). */
export const OVERLAP_ADD_LATENCY = 2;

/** Width of the exact overlap-add sums: at most ceil(K/T)^2 blocks overlap. */
export function sumBits(K: number, T: number, ifftBits: number): number {
  const overlap = Math.ceil(K / T);
  return ifftBits + Math.ceil(Math.log2(overlap * overlap));
}

interface Geometry {
  readonly pl: ConvPlan;
  readonly lanes: number;
  readonly lane: number;
  /** output channels of this lane */
  readonly channels: number;
  /** words per band row and bank */
  readonly segments: number;
  /** column groups per output row */
  readonly groups: number;
}

/** What the rate functions need: the layer's shape and the lane (the weights do not matter). */
export type OverlapAddShape = Omit<OverlapAddParams, "layer"> & { readonly layer: ConvShape };

function geometry(p: OverlapAddShape): Geometry {
  const pl = makePlan(p.layer);
  const lanes = p.lanes ?? 1;
  const lane = p.lane ?? 0;
  const segments = Math.ceil(((pl.tilesX - 1) * pl.T + pl.K) / pl.K);
  return { pl, lanes, lane, channels: laneChannels(pl.cout, lanes, lane), segments, groups: Math.ceil(pl.wo / pl.K) };
}

/** Input beats of one tile row: tilesX tiles x the lane's channels x K/2 row pairs. */
export function overlapAddBeatsPerTileRow(p: OverlapAddShape): number {
  const g = geometry(p);
  return g.pl.tilesX * g.channels * (g.pl.K / 2);
}

/** Emission cycles of band ty: per lane channel, ceil(Wo/K) per output row of the band and 1 per other row. */
export function overlapAddBandCycles(p: OverlapAddShape, ty: number): number {
  const g = geometry(p);
  const { T, k, ho } = g.pl;
  let cycles = 0;
  for (let a = 0; a < T; a++) {
    const z = ty * T + a;
    cycles += z >= k - 1 && z < k - 1 + ho ? g.groups : 1;
  }
  return g.channels * cycles;
}

/** The longest band emission. */
export function overlapAddEmitCyclesPerBand(p: OverlapAddShape): number {
  const { tilesY } = makePlan(p.layer);
  return Math.max(...Array.from({ length: tilesY }, (_, ty) => overlapAddBandCycles(p, ty)));
}

/**
 * True if emission can never fall behind (overrun stays low) when consecutive blocks start at
 * least `cyclesPerBlock` cycles apart at the input (K/2 at full rate), images back to back.
 */
export function overlapAddKeepsUp(p: OverlapAddShape, cyclesPerBlock = p.layer.K / 2): boolean {
  const g = geometry(p);
  return overlapAddEmitCyclesPerBand(p) <= g.pl.tilesX * g.channels * cyclesPerBlock;
}

/** Where the incoming beat goes: pair j of the block of local channel m at tile (ty, tx). */
interface Position {
  readonly j: Var;
  readonly m: Var;
  readonly tx: Var;
  readonly ty: Var;
  /** tx*T */
  readonly colBase: Var;
  /** ty*T */
  readonly rowBase: Var;
  /** half the physical row of the tile row's first row (even: T is), mod K, counted on across images */
  readonly physHalf: Var;
  /** the beat completes tile row ty */
  readonly bandDone: Signal;
}

function inputPosition(valid: Signal, g: Geometry): Position {
  const { K, T, tilesX, tilesY } = g.pl;
  const loop = CounterChain([K / 2, g.channels, tilesX, tilesY], { enable: valid, name: ["pair", "channel", "tile_x", "tile_y"] });
  const [j, m, tx, ty] = loop.counters.map((c) => c.value) as [Var, Var, Var, Var];
  const colBase = Reg(UInt(log2Ceil((tilesX - 1) * T + 1)), { init: 0, name: "col_base" });
  const rowBase = Reg(UInt(log2Ceil((tilesY - 1) * T + 1)), { init: 0, name: "row_base" });
  const physHalf = Reg(UInt(Math.log2(K)), { init: 0, name: "phys_half" });
  const lastJ = j.eq(K / 2 - 1);
  const lastM = m.eq(g.channels - 1);
  const lastTx = tx.eq(tilesX - 1);
  const lastTy = ty.eq(tilesY - 1);
  // the block's last pair moves to the next tile; a tile row's last block to the next band
  when(loop.counters[1]!.wrap, () => colBase.assign(mux(lastTx, 0, colBase.add(T).resize(colBase.width))));
  when(loop.counters[2]!.wrap, () => {
    rowBase.assign(mux(lastTy, 0, rowBase.add(T).resize(rowBase.width)));
    physHalf.assign(physHalf.addWrap(T / 2));
  });
  return { j, m, tx, ty, colBase, rowBase, physHalf, bandDone: valid.and(lastJ).and(lastM).and(lastTx) };
}

/** Word address in a bank: channel m, row zHalf of the bank's parity, word `word` of the row. */
function bankAddress(m: Signal, zHalf: Signal, word: Signal, g: Geometry, depth: number): Signal {
  const { K } = g.pl;
  return m.mul(K * g.segments).add(zHalf.mul(g.segments)).add(word).resize(log2Ceil(depth));
}

/**
 * One beat. T is even (k is odd) and so is every tile row's first physical row, so block row
 * 2j + s lands in the parity-s banks, at half-row physHalf + j in both. Bank b takes column
 * c = (b - colBase) mod K of its row: Z column colBase + c, in word colBase/K of the row, or the
 * next one if b < colBase mod K.
 */
function accumulate(valid: Signal, rows: VecValue<VecType<SIntType>>, at: Position, banks: readonly (readonly Memory[])[], g: Geometry, zBits: number): void {
  const { K, T } = g.pl;
  const lk = Math.log2(K);
  const depth = banks[0]![0]!.depth;
  const zHalf = at.physHalf.addWrap(at.j.zext(at.physHalf.width));
  const rowAddr = bankAddress(at.m, zHalf, at.colBase.shr(lk), g, depth);
  const nextAddr = rowAddr.addWrap(1);
  const phase = at.colBase.resize(lk); // colBase mod K
  const leftEdge = at.tx.eq(0);
  for (let s = 0; s < 2; s++) {
    const a = cat(at.j, constant(s, Bool())).named(`block_row${s}`); // 2j + s
    const firstRow = at.ty.eq(0).or(atLeast(a, K - T)); // no earlier tile row reached this row
    const rotated = rotate(Array.from({ length: K }, (_, i) => rows.at(s).at(i)), phase);
    for (let b = 0; b < K; b++) {
      const c = constant(b, UInt(lk)).subWrap(phase).named(`col${s}_${b}`);
      const value = rotated[b]!;
      const first = firstRow.and(leftEdge.or(atLeast(c, K - T))); // nor an earlier tile of the row
      const bank = banks[s]![b]!;
      const addr = b === K - 1 ? rowAddr : mux(phase.gt(b), nextAddr, rowAddr);
      const sum = mux(first, value.pad(zBits), bank.readAsync(addr).add(value).resize(zBits));
      when(valid, () => bank.write(addr, sum));
    }
  }
}

/** out[b] = values[(b - amount) mod n]: a logarithmic rotator, one 2:1 stage per bit of amount. */
export function rotate(values: readonly Signal[], amount: Signal): Signal[] {
  const n = values.length;
  let v = [...values];
  for (let i = 0; i < amount.width; i++) {
    const d = 2 ** i;
    const bit = amount.bit(i);
    v = v.map((x, b) => mux(bit, v[(b - d + n) % n]!, x));
  }
  return v;
}

export const OverlapAdd = defineModule(
  "OverlapAdd",
  (p: OverlapAddParams) => {
    const g = geometry(p);
    const { pl, channels, segments, groups } = g;
    const { K, T, k, cout, ho, wo, hp, tilesY } = pl;
    checkParams(laneRequirements(g.lanes, g.lane, cout, "output channels"));
    const f = p.layer.formats;
    const zBits = sumBits(K, T, f.ifftBits);
    const depth = channels * K * segments;

    // `in` is a JavaScript keyword: the port bundle is named explicitly.
    const inp = Input(Bundle({ valid: Bool(), rows: Vec(2, Vec(K, SInt(f.ifftBits))) }), { name: "in" });
    const out = Output(Bundle({
      valid: Bool(), channel: UInt(log2Ceil(cout)), row: UInt(log2Ceil(ho)), col: UInt(log2Ceil(wo)), mask: UInt(K),
      values: Vec(K, SInt(f.actBits)), last: Bool(),
    }));
    const overrun = Output(Bool());

    // ---- accumulate: one beat (two block rows) per clock into the parity x column banks ----
    const at = inputPosition(inp.valid, g);
    const banks = [0, 1].map((par) => Array.from({ length: K }, (_, b) => Mem(depth, SInt(zBits), { name: `z${par}_bank${b}` })));
    accumulate(inp.valid, inp.rows, at, banks, g, zBits);

    // ---- emission of a finished band: lane channel eM, band row eRow, column group eGroup ----
    const emitting = Reg(Bool(), { init: 0 });
    const eM = counter(channels, "emit_channel");
    const eChannel = Reg(UInt(out.channel.width), { init: g.lane, name: "emit_global_channel" });
    const eRow = counter(T, "emit_row");
    const eGroup = counter(groups, "emit_group");
    const eTop = Reg(UInt(at.rowBase.width), { init: 0, name: "emit_top" }); // ty*T of the band
    const ePhysHalf = Reg(UInt(at.physHalf.width), { init: 0, name: "emit_phys_half" });
    const eLastBand = Reg(Bool(), { init: 0, name: "emit_last_band" });
    const overrunFlag = Reg(Bool(), { init: 0 });
    const zRow = eTop.add(eRow); // logical row of Z
    const rowInRange = atLeast(zRow, k - 1).and(zRow.lt(k - 1 + ho)); // output row zRow - (k-1) exists
    const lastGroup = eGroup.eq(groups - 1);
    const rowDone = lastGroup.or(rowInRange.not()); // rows outside the output take one cycle
    const lastEM = eM.eq(channels - 1);
    const emitEnd = emitting.and(rowDone).and(eRow.eq(T - 1)).and(lastEM);
    when(emitting, () => {
      eGroup.assign(mux(rowDone, 0, eGroup.addWrap(1)));
      when(rowDone, () => {
        eRow.assign(wrapInc(eRow, T));
        when(eRow.eq(T - 1), () => {
          eM.assign(wrapInc(eM, channels));
          eChannel.assign(mux(lastEM, g.lane, eChannel.add(g.lanes).resize(eChannel.width)));
        });
      });
      when(emitEnd, () => emitting.assign(0));
    });
    // The next band may start on the cycle the previous one ends (its counters are back at 0).
    when(at.bandDone, () => {
      when(emitting.and(emitEnd.not()), () => overrunFlag.assign(1));
      emitting.assign(1);
      eTop.assign(at.rowBase);
      ePhysHalf.assign(at.physHalf);
      eLastBand.assign(at.ty.eq(tilesY - 1));
    });

    // ---- output stage: read, bias, ReLU, saturate, one register ----
    const parity = eRow.bit(0); // the band starts on an even physical row
    const zHalf = ePhysHalf.addWrap(eRow.shr(1).resize(ePhysHalf.width));
    const bias = Rom(SInt(f.actBits), Array.from({ length: channels }, (_, m) => p.layer.bias[g.lane + m * g.lanes]!)).readAsync(eM);
    const firstCol = eGroup.mul(K).resize(log2Ceil(groups * K));
    const show = emitting.and(rowInRange);
    const maskBits: Signal[] = [];
    for (let i = 0; i < K; i++) {
      const x = k - 1 + i; // Z column of output column firstCol + i, less firstCol
      const word = eGroup.add(Math.floor(x / K));
      const addr = bankAddress(eM, zHalf, word, g, depth);
      const z = mux(parity, banks[1]![x % K]!.readAsync(addr), banks[0]![x % K]!.readAsync(addr));
      const total = z.add(bias);
      const relu = p.layer.relu ? mux(total.lt(0), 0, total) : total;
      const inside = firstCol.add(i).lt(wo);
      const v = Reg(SInt(f.actBits), { name: `value${i}`, init: 0 });
      // Columns past the edge read nothing useful: they are zero and masked.
      v.assign(mux(inside.and(show), saturate(relu, f.actBits), 0));
      out.values.at(i).assign(v);
      maskBits.push(inside);
    }
    out.valid.assign(RegNext(show, { init: 0, name: "out_valid_q" }));
    out.channel.assign(RegNext(eChannel, { init: 0, name: "out_channel_q" }));
    out.row.assign(RegNext(zRow.subWrap(k - 1).resize(out.row.width), { init: 0, name: "out_row_q" }));
    out.col.assign(RegNext(firstCol.resize(out.col.width), { init: 0, name: "out_col_q" }));
    out.mask.assign(RegNext(cat(...[...maskBits].reverse()), { init: 0, name: "out_mask_q" }));
    const imageEnd = show.and(eLastBand).and(lastEM).and(zRow.eq(hp - 1)).and(lastGroup);
    out.last.assign(RegNext(imageEnd, { init: 0, name: "out_last_q" }));
    overrun.assign(overrunFlag);
    return { in: inp, out, overrun };
  },
  {
    moduleName: (p) => {
      const { cout, h, w, k, p: pad, K } = p.layer;
      return `OverlapAdd_c${cout}_${h}x${w}_k${k}p${pad}_K${K}_lane${p.lane ?? 0}of${p.lanes ?? 1}`;
    },
  },
);
