/**
 * BandOverlapAdd { K, k, ifftBits, actBits, maxChannels, maxWidth, maxHeight, capacity, lanes,
 * lane }: the engine's overlap-add, bias, optional ReLU and saturation (golden: steps 6-7 of
 * goldenConvLayer) with the layer's shape chosen at run time by a command, for one lane of
 * output channels (o ≡ lane mod lanes), fed by its IFFT lane. The datapath follows
 * `../overlap-add.ts` (same banks, rotators, first-write rule, emission while the next band
 * accumulates) with registered reads; what that unit takes from a FixedLayer at compile time comes
 * here from `cmd` and the bias memory.
 * Compile time: K, the kernel size k (T = K - k + 1, even: k odd), the widths and the maxima.
 *
 * Ports
 *   cmd (Decoupled, in): one image of a layer
 *     `{ channels, tilesX, tilesY, segments, wo, ho, relu, pool }`: the lane's output channels
 *     (1..maxChannels), tiles across and down (tilesX = ceil((wo + k - 1) / T), tilesY likewise
 *     from ho), segments = ceil(((tilesX - 1) T + K) / K) (words of a band row in a bank), the
 *     output size wo x ho (1..maxWidth, 1..maxHeight), ReLU on/off, pooling on/off (only passed
 *     on to `pool`, for PoolStage). The host derives tilesX, tilesY and segments
 *     (`overlapAddCommand`), so the unit divides nothing. Taken when no image
 *     is accumulating (ready the clock after an image's last beat); channels segments <=
 *     capacity / K (a simulation assertion checks it).
 *   bias (Decoupled, in): `{ addr, data }`, the bias of the lane's local channel addr (global
 *     channel lane + addr lanes), for the NEXT command: biases are double-buffered, written into
 *     the bank the next command takes, while the previous image still emits from the other; write
 *     them before that command. Ready unless the next command's bank is still being emitted (an
 *     image two commands back).
 *   in (in): `valid`, `rows[s][0..K-1]` (s = 0, 1): rows 2j and 2j + 1 of an IFFT block, j =
 *     0..K/2-1, as today's unit: blocks in the order tile row ty > tile column tx > the lane's
 *     channels ascending > pair j; at most one beat per clock, gaps allowed; only while an image
 *     is accumulating (a beat with none is dropped and sets overrun).
 *   out (Valid, out): PoolStage's group `{ channel, row, col, mask, values: Vec(K) }`
 *     (`outputGroupType(groupParams(p))`, channel the global index); last: with the image's last
 *     group; pool: the command's `pool` of the image whose group is on out (PoolStage's `pool`:
 *     it switches with the groups, not when the next command is taken). No back-pressure.
 *   overrun (out): latches when a band is finished before the previous band's emission ended, or
 *     on a beat with no image accumulating.
 *
 * Output order (PoolStage's): images in command order; bands of T rows in order; inside a band the
 * lane's channels ascending, then the band's output rows, then column groups col = 0, K, 2K, ...
 * (mask all ones but for a row's last group).
 *
 * Timing: a band's first group is out BAND_OVERLAP_ADD_LATENCY (3) clocks after its last beat when
 * its first row is an output row (one clock per row above the output before it); emission takes,
 * per lane channel, ceil(wo / K) clocks per output row of the band and 1 per other row. There is
 * no back-pressure: overrun stays low as long as each band's emission (E clocks) ends by the last
 * beat of the next band, the next image's first band after an image's last, whatever its layer:
 * E <= the clocks from one band's last beat to the next one's. At one beat per clock a band takes
 * tilesX channels K / 2 clocks, so about T ceil(wo / K) <= tilesX K / 2: the condition of
 * `../overlap-add.ts` (overlapAddKeepsUp), which lists the input paces it needs (k = 3, K = 8: 5
 * clocks per block on the VGG16 maps 224 .. 28). A command is taken the clock after the previous
 * image's last beat at the earliest, its first beat the clock after.
 *
 * Storage: as today's unit, 2K banks (row parity x column mod K) of `capacity` words of sumBits;
 * half-row zHalf (physical row 2 zHalf + parity, mod 2K) owns the words zHalf capacity / K ..
 * (zHalf + 1) capacity / K - 1 whatever the layer (so the next image's first band never lands on
 * rows the previous image's last band still emits), channel m's words of it from m segments (a
 * base register moves by segments per channel: no multiplier). Reads are registered (block RAM):
 * the accumulation reads on the beat's clock and adds and writes on the next, forwarding the word
 * written on the edge of its read (consecutive beats on one word: a tile row's first beat right
 * after the previous tile row's last, with one channel, at most two tiles across and T = K - 2).
 * Block RAM has two ports and a bank needs three accesses a clock (sum read, sum write, output
 * read), so every bank has two copies, both written, one read by the accumulation and one by the
 * emission; the emission's copy saturated to actBits + 1 bits (the output is the same). The
 * biases: a LUT RAM of 2 maxChannels words. capacity (default maxChannels K maxSegments,
 * maxSegments the segments of maxWidth: every shape up to the maxima; a multiple of K) must hold
 * channels x K x segments: VGG16 at K = 8, k = 3 (224 wide: 38 tiles, 29 segments) with 64
 * channels per lane is 14,848 words a bank.
 *
 * Cost (`npx tsx bench/overlap-add-synth.ts`, native Yosys 0.23 synth_xilinx, xc7): VGG16 class
 * (k 3, ifftBits 22, 64 channels, 224 x 224): 5,320 LUT, 1,369 FF, 312 RAMB36 (16 memories of
 * 14,848 x 24 bits and 16 of 17 bits); with the output copy at 24 bits too it was 2,855 LUT and
 * 384 RAMB36 (block RAM binds first on the VGG16-class devices); at LeNet conv2's limits (k 5, 16
 * channels, 12 x 12): 2,590 LUT, 1,183 FF, 16 RAMB36 (2,263 LUT unnarrowed), against 2,219 LUT,
 * 184 FF and 3,072 LUT-RAM LUTs for today's unit at that one shape. The flip-flops are the
 * read-add-write pipeline (address, value, forwarded word per bank).
 */
import { Bool, Bundle, Decoupled, Input, Mem, Output, Reg, RegNext, SInt, UInt, Vec, assert, cat, constant, defineModule, log2Ceil, mux, when, type Signal, type Var } from "../../core";
import { Valid } from "../../lib";
import { atLeast } from "../counters";
import { saturate } from "../fixed";
import { bitsFor, checkParams, isIntIn } from "../generator-params";
import { rotate, sumBits } from "../overlap-add";
import { outputGroupType, type PoolStageParams } from "./pool-stage";

export interface BandOverlapAddParams {
  /** FFT size, a power of two 4..64 */
  readonly K: number;
  /** the engine's kernel size, odd, < K (T = K - k + 1) */
  readonly k: number;
  readonly ifftBits: number;
  readonly actBits: number;
  /** largest output channel count of the lane */
  readonly maxChannels: number;
  /** largest output width and height */
  readonly maxWidth: number;
  readonly maxHeight: number;
  /** words per bank; default maxChannels K maxSegments (every shape up to the maxima) */
  readonly capacity?: number;
  /** overlap-add lanes after the IFFT lanes; this one takes channels o ≡ lane (mod lanes). Default 1, 0 */
  readonly lanes?: number;
  readonly lane?: number;
}

/** Cycles from a band's last input beat to its first output group (when its first row is an output row). */
export const BAND_OVERLAP_ADD_LATENCY = 3;

interface Limits {
  readonly T: number;
  readonly maxTilesX: number;
  readonly maxTilesY: number;
  readonly maxSegments: number;
  readonly capacity: number;
}

function limits(p: BandOverlapAddParams): Limits {
  const T = p.K - p.k + 1;
  const maxTilesX = Math.ceil((p.maxWidth + p.k - 1) / T);
  const maxTilesY = Math.ceil((p.maxHeight + p.k - 1) / T);
  const maxSegments = Math.ceil(((maxTilesX - 1) * T + p.K) / p.K);
  return { T, maxTilesX, maxTilesY, maxSegments, capacity: p.capacity ?? p.maxChannels * p.K * maxSegments };
}

/** PoolStage's parameters for the groups this lane emits (channel: the global index). */
export function groupParams(p: BandOverlapAddParams): PoolStageParams {
  return { K: p.K, actBits: p.actBits, maxWidth: p.maxWidth, maxHeight: p.maxHeight, maxChannels: (p.lanes ?? 1) * p.maxChannels };
}

/** The command bundle. */
export function overlapAddCommandType(p: BandOverlapAddParams) {
  const l = limits(p);
  return Bundle({
    channels: UInt(bitsFor(p.maxChannels)),
    tilesX: UInt(bitsFor(l.maxTilesX)),
    tilesY: UInt(bitsFor(l.maxTilesY)),
    segments: UInt(bitsFor(l.maxSegments)),
    wo: UInt(bitsFor(p.maxWidth)),
    ho: UInt(bitsFor(p.maxHeight)),
    relu: Bool(),
    pool: Bool(),
  });
}

const COMMAND_FIELDS = ["channels", "tilesX", "tilesY", "segments", "wo", "ho", "relu", "pool"] as const;

/** A command's fields as numbers (relu and pool 0 or 1). */
export type OverlapAddCommand = Record<(typeof COMMAND_FIELDS)[number], number>;

/**
 * The host side: the command of one image with `channels` lane channels, a wo x ho output and
 * ReLU, with the values the unit does not divide for; an Error names every field out of the
 * unit's limits with its value.
 */
export function overlapAddCommand(
  p: BandOverlapAddParams,
  s: { readonly channels: number; readonly wo: number; readonly ho: number; readonly relu: boolean; readonly pool?: boolean },
): OverlapAddCommand {
  const l = limits(p);
  const tilesX = Math.ceil((s.wo + p.k - 1) / l.T);
  const tilesY = Math.ceil((s.ho + p.k - 1) / l.T);
  const segments = Math.ceil(((tilesX - 1) * l.T + p.K) / p.K);
  const bad = [
    ...([["channels", s.channels, p.maxChannels], ["wo", s.wo, p.maxWidth], ["ho", s.ho, p.maxHeight]] as const)
      .filter(([, v, max]) => !isIntIn(v, 1, max))
      .map(([f, v, max]) => `${f} = ${v} (1..${max})`),
    ...(s.channels * segments > l.capacity / p.K ? [`channels x segments = ${s.channels} x ${segments} (at most capacity / K = ${l.capacity / p.K})`] : []),
  ];
  if (bad.length > 0) throw new Error(`overlap-add command: ${bad.join(", ")}`);
  return { channels: s.channels, tilesX, tilesY, segments, wo: s.wo, ho: s.ho, relu: s.relu ? 1 : 0, pool: s.pool === true ? 1 : 0 };
}

/** The bias write bundle. */
export function biasWriteType(p: BandOverlapAddParams) {
  return Bundle({ addr: UInt(bitsFor(p.maxChannels - 1)), data: SInt(p.actBits) });
}

/** A run-time counter's step: 0 after its last value. */
const step = (x: Var, last: Signal): Signal => mux(last, 0, x.addWrap(1));

export const BandOverlapAdd = defineModule("BandOverlapAdd", (p: BandOverlapAddParams) => {
  const { K, k } = p;
  const lanes = p.lanes ?? 1;
  const lane = p.lane ?? 0;
  checkParams([
    [isIntIn(K, 4, 64) && (K & (K - 1)) === 0, `K must be a power of two in 4..64, got ${K}`],
    [isIntIn(k, 1, K - 1) && k % 2 === 1, `k must be odd and in 1..K-1 (K = ${K}), got ${k}`],
    [isIntIn(p.ifftBits, 2, 32) && isIntIn(p.actBits, 2, 32), `ifftBits and actBits must be integers in 2..32, got ${p.ifftBits} and ${p.actBits}`],
    [isIntIn(p.maxChannels, 1, 65535) && isIntIn(p.maxWidth, 1, 65535) && isIntIn(p.maxHeight, 1, 65535), "maxChannels, maxWidth and maxHeight must be integers in 1..65535"],
    [isIntIn(lanes, 1, 256) && isIntIn(lane, 0, lanes - 1), `lane = ${lane} must be an integer in 0..lanes-1 (lanes = ${lanes})`],
  ]);
  const l = limits(p);
  const { T } = l;
  checkParams([[isIntIn(l.capacity / K, l.maxSegments, 2 ** 24 / K), `capacity = ${l.capacity} must be a multiple of K in K maxSegments = ${K * l.maxSegments}..2^24 (one channel of the widest map)`]]);
  const lk = Math.log2(K);
  const aw = log2Ceil(l.capacity);
  const zBits = sumBits(K, T, p.ifftBits);
  const gp = groupParams(p);

  const cmd = Input(Decoupled(overlapAddCommandType(p)));
  const bias = Input(Decoupled(biasWriteType(p)));
  // `in` is a JavaScript keyword: the port bundle is named explicitly.
  const inp = Input(Bundle({ valid: Bool(), rows: Vec(2, Vec(K, SInt(p.ifftBits))) }), { name: "in" });
  const out = Output(Valid(outputGroupType(gp)));
  const last = Output(Bool());
  const pool = Output(Bool());
  const overrun = Output(Bool());

  // ---- the image accumulating: its command and bias bank ----
  const active = Reg(Bool(), { init: 0 });
  const cfg = Reg(overlapAddCommandType(p), { init: 0, name: "layer" });
  const nextBank = Reg(Bool(), { init: 0, name: "next_bias_bank" });
  const inBank = Reg(Bool(), { init: 0, name: "bias_bank" });
  cmd.ready.assign(active.not());
  const take = cmd.valid.and(active.not());
  when(take, () => {
    for (const f of COMMAND_FIELDS) cfg[f].assign(cmd.bits[f]);
    active.assign(1);
    inBank.assign(nextBank);
    nextBank.assign(nextBank.not());
  });
  const cb = cmd.bits;
  assert(cmd.valid.not().or(cb.channels.neq(0).and(cb.channels.le(p.maxChannels)).and(cb.wo.neq(0)).and(cb.wo.le(p.maxWidth)).and(cb.ho.neq(0)).and(cb.ho.le(p.maxHeight))), "cmd: channels, wo and ho within 1..maxChannels, 1..maxWidth, 1..maxHeight");
  assert(cmd.valid.not().or(cb.tilesX.neq(0).and(cb.tilesY.neq(0)).and(cb.segments.neq(0)).and(cb.channels.zext(aw + 8).mul(cb.segments).mul(K).le(l.capacity))), "cmd: tilesX, tilesY, segments >= 1 and channels K segments words fit a bank (capacity)");

  // ---- input position: pair j of the block of local channel m at tile (ty, tx) ----
  const valid = inp.valid.and(active);
  const j = Reg(UInt(lk - 1), { init: 0, name: "pair" });
  const m = Reg(UInt(bitsFor(p.maxChannels - 1)), { init: 0, name: "channel" });
  const tx = Reg(UInt(bitsFor(l.maxTilesX - 1)), { init: 0, name: "tile_x" });
  const ty = Reg(UInt(bitsFor(l.maxTilesY - 1)), { init: 0, name: "tile_y" });
  const chanBase = Reg(UInt(aw), { init: 0, name: "channel_base" }); // m segments
  const colBase = Reg(UInt(bitsFor((l.maxTilesX - 1) * T)), { init: 0, name: "col_base" }); // tx T
  const rowBase = Reg(UInt(bitsFor((l.maxTilesY - 1) * T)), { init: 0, name: "row_base" }); // ty T
  const physHalf = Reg(UInt(lk), { init: 0, name: "phys_half" }); // half the tile row's first physical row, mod K, counted on across images
  const lastJ = j.eq(K / 2 - 1);
  const lastM = m.add(1).eq(cfg.channels);
  const lastTx = tx.add(1).eq(cfg.tilesX);
  const lastTy = ty.add(1).eq(cfg.tilesY);
  const bandDone = valid.and(lastJ).and(lastM).and(lastTx);
  when(valid, () => {
    j.assign(j.addWrap(1));
    when(lastJ, () => {
      m.assign(step(m, lastM));
      chanBase.assign(mux(lastM, 0, chanBase.addWrap(cfg.segments.zext(aw))));
      when(lastM, () => {
        tx.assign(step(tx, lastTx));
        colBase.assign(mux(lastTx, 0, colBase.add(T).resize(colBase.width)));
        when(lastTx, () => {
          ty.assign(step(ty, lastTy));
          rowBase.assign(mux(lastTy, 0, rowBase.add(T).resize(rowBase.width)));
          physHalf.assign(physHalf.addWrap(T / 2));
          when(lastTy, () => active.assign(0));
        });
      });
    });
  });

  // ---- accumulate: one beat (two block rows) into the parity x column banks ----
  // Two copies of every bank, both written: `acc` read by the accumulation, `emit` by the emission
  // (block RAM has two ports, a bank needs a read and a write for the sums and a read for the output).
  const bankOf = (copy: string, bits: number) => [0, 1].map((par) => Array.from({ length: K }, (_, b) => Mem(l.capacity, SInt(bits), { name: `z${par}_bank${b}_${copy}` })));
  const accBanks = bankOf("acc", zBits);
  // The output copy holds the sums saturated to actBits + 1 bits: with |bias| < 2^(actBits - 1),
  // saturate(z + bias) (ReLU or not) is the same for z and for z saturated so.
  const emitBits = Math.min(zBits, p.actBits + 1);
  const emitBanks = bankOf("emit", emitBits);
  // Half-row zHalf owns words zHalf region .. (zHalf + 1) region - 1 whatever the layer, so the
  // next image's first band never lands on the rows the previous image's last band still emits.
  const region = l.capacity / K;
  const address = (base: Signal, zHalf: Signal, word: Signal): Signal =>
    zHalf.zext(aw).mul(region).resize(aw).addWrap(base).addWrap(word.zext(aw));
  {
    const zHalf = physHalf.addWrap(j.zext(lk));
    const rowAddr = address(chanBase, zHalf, colBase.shr(lk));
    const nextAddr = rowAddr.addWrap(1);
    const phase = colBase.resize(lk); // colBase mod K
    const leftEdge = tx.eq(0);
    const valid1 = RegNext(valid, { init: 0, name: "acc_valid" });
    for (let s = 0; s < 2; s++) {
      const a = cat(j, constant(s, Bool())).named(`block_row${s}`); // 2j + s
      const firstRow = ty.eq(0).or(atLeast(a, K - T)); // no earlier tile row reached this row
      const rotated = rotate(Array.from({ length: K }, (_, i) => inp.rows.at(s).at(i)), phase);
      for (let b = 0; b < K; b++) {
        const c = constant(b, UInt(lk)).subWrap(phase).named(`col${s}_${b}`);
        const first = firstRow.and(leftEdge.or(atLeast(c, K - T))); // nor an earlier tile of the row
        const addr = b === K - 1 ? rowAddr : mux(phase.gt(b), nextAddr, rowAddr);
        // stage 0: the read; stage 1: the add and the write
        const old = accBanks[s]![b]!.readSync(addr, { enable: valid, name: `z${s}_${b}_old` });
        const addr1 = RegNext(addr, { name: `acc_addr${s}_${b}` });
        const value1 = RegNext(rotated[b]!, { name: `acc_value${s}_${b}` });
        const first1 = RegNext(first, { name: `acc_first${s}_${b}` });
        // the word written on the edge of the read is not in the read (read-first): forwarded
        const wValid = Reg(Bool(), { init: 0, name: `fwd_valid${s}_${b}` });
        const wAddr = Reg(UInt(aw), { name: `fwd_addr${s}_${b}` });
        const wData = Reg(SInt(zBits), { name: `fwd_data${s}_${b}` });
        const prev = mux(wValid.and(wAddr.eq(addr1)), wData, old);
        const sum = mux(first1, value1.pad(zBits), prev.add(value1).resize(zBits));
        wValid.assign(valid1);
        wAddr.assign(addr1);
        wData.assign(sum);
        when(valid1, () => {
          accBanks[s]![b]!.write(addr1, sum);
          emitBanks[s]![b]!.write(addr1, saturate(sum, emitBits));
        });
      }
    }
  }

  // ---- emission of a finished band, with its own copy of the image's command ----
  const emitting = Reg(Bool(), { init: 0 });
  const ecfg = Reg(overlapAddCommandType(p), { init: 0, name: "emit_layer" });
  const eBank = Reg(Bool(), { init: 0, name: "emit_bias_bank" });
  const eM = Reg(UInt(m.width), { init: 0, name: "emit_channel" });
  const eChannel = Reg(UInt(out.bits.channel.width), { init: lane, name: "emit_global_channel" });
  const eChanBase = Reg(UInt(aw), { init: 0, name: "emit_channel_base" });
  const eRow = Reg(UInt(bitsFor(T - 1)), { init: 0, name: "emit_row" });
  const eGroup = Reg(UInt(bitsFor(Math.ceil(p.maxWidth / K) - 1)), { init: 0, name: "emit_group" });
  const eTop = Reg(UInt(rowBase.width), { init: 0, name: "emit_top" }); // ty T of the band
  const ePhysHalf = Reg(UInt(lk), { init: 0, name: "emit_phys_half" });
  const eLastBand = Reg(Bool(), { init: 0, name: "emit_last_band" });
  const overrunFlag = Reg(Bool(), { init: 0 });
  const zRow = eTop.add(eRow); // logical row of Z
  const outRow = zRow.subWrap(k - 1); // output row, when rowInRange
  const rowInRange = atLeast(zRow, k - 1).and(outRow.lt(ecfg.ho));
  const firstCol = cat(eGroup, constant(0, UInt(lk)));
  const lastGroup = firstCol.add(K).ge(ecfg.wo);
  const rowDone = lastGroup.or(rowInRange.not()); // rows outside the output take one cycle
  const lastEM = eM.add(1).eq(ecfg.channels);
  const lastERow = eRow.eq(T - 1);
  const emitEnd = emitting.and(rowDone).and(lastERow).and(lastEM);
  when(emitting, () => {
    eGroup.assign(mux(rowDone, 0, eGroup.addWrap(1)));
    when(rowDone, () => {
      eRow.assign(mux(lastERow, 0, eRow.addWrap(1)));
      when(lastERow, () => {
        eM.assign(step(eM, lastEM));
        eChanBase.assign(mux(lastEM, 0, eChanBase.addWrap(ecfg.segments.zext(aw))));
        eChannel.assign(mux(lastEM, lane, eChannel.add(lanes).resize(eChannel.width)));
      });
    });
    when(emitEnd, () => emitting.assign(0));
  });
  // The next band may start on the clock the previous one ends (its counters are back at 0).
  when(bandDone, () => {
    when(emitting.and(emitEnd.not()), () => overrunFlag.assign(1));
    emitting.assign(1);
    for (const f of COMMAND_FIELDS) ecfg[f].assign(cfg[f]);
    eBank.assign(inBank);
    eTop.assign(rowBase);
    ePhysHalf.assign(physHalf);
    eLastBand.assign(lastTy);
  });
  when(inp.valid.and(active.not()), () => overrunFlag.assign(1));

  // ---- biases: two banks of maxChannels, written for the next command, read by the emission ----
  const biasMem = Mem(2 * p.maxChannels, SInt(p.actBits), { style: "distributed", name: "bias" });
  const biasAddr = (bank: Signal, ch: Signal): Signal => mux(bank, ch.zext(bitsFor(2 * p.maxChannels - 1)).addWrap(p.maxChannels), ch.zext(bitsFor(2 * p.maxChannels - 1)));
  bias.ready.assign(emitting.and(eBank.eq(nextBank)).not());
  when(bias.valid.and(bias.ready), () => biasMem.write(biasAddr(nextBank, bias.bits.addr), bias.bits.data));
  assert(bias.valid.not().or(bias.bits.addr.lt(p.maxChannels)), "bias: addr < maxChannels");
  const b = biasMem.readAsync(biasAddr(eBank, eM));

  // ---- output stage: read (stage e), bias, ReLU, saturate (e + 1), the output register ----
  const parity = eRow.bit(0); // the band starts on an even physical row
  const zHalf = ePhysHalf.addWrap(eRow.shr(1).resize(lk));
  const show = emitting.and(rowInRange);
  const stage = (sig: Signal, name: string): Signal => RegNext(sig, { init: 0, name });
  const parity1 = stage(parity, "emit_parity");
  const show1 = stage(show, "emit_show");
  const bias1 = stage(b, "emit_bias");
  const relu1 = stage(ecfg.relu, "emit_relu");
  const maskBits: Signal[] = [];
  for (let i = 0; i < K; i++) {
    const x = k - 1 + i; // Z column of output column firstCol + i, less firstCol
    const addr = address(eChanBase, zHalf, eGroup.add(Math.floor(x / K)));
    const read = (par: number): Signal => emitBanks[par]![x % K]!.readSync(addr, { name: `z${par}_${x % K}_out${i}` });
    const z = mux(parity1, read(1), read(0));
    const total = z.add(bias1);
    const relu = mux(relu1.and(total.lt(0)), 0, total);
    const inside = firstCol.add(i).lt(ecfg.wo);
    const inside1 = stage(inside.and(show), `emit_inside${i}`);
    const v = Reg(SInt(p.actBits), { name: `value${i}`, init: 0 });
    // Columns past the edge read nothing useful: they are zero and masked.
    v.assign(mux(inside1, saturate(relu, p.actBits), 0));
    out.bits.values.at(i).assign(v);
    maskBits.push(inside);
  }
  const twice = (sig: Signal, width: number, name: string): Signal => RegNext(RegNext(sig.resize(width), { init: 0, name: `${name}_e1` }), { init: 0, name });
  out.valid.assign(RegNext(show1, { init: 0, name: "out_valid_q" }));
  out.bits.channel.assign(twice(eChannel, out.bits.channel.width, "out_channel_q"));
  out.bits.row.assign(twice(outRow, out.bits.row.width, "out_row_q"));
  out.bits.col.assign(twice(firstCol, out.bits.col.width, "out_col_q"));
  out.bits.mask.assign(twice(cat(...[...maskBits].reverse()), K, "out_mask_q"));
  const imageEnd = show.and(eLastBand).and(lastEM).and(outRow.add(1).eq(ecfg.ho)).and(lastGroup);
  last.assign(twice(imageEnd, 1, "out_last_q"));
  pool.assign(twice(ecfg.pool, 1, "out_pool_q"));
  overrun.assign(overrunFlag);
  return { cmd, bias, in: inp, out, last, pool, overrun };
}, {
  moduleName: (p) => `BandOverlapAdd_K${p.K}_k${p.k}_c${p.maxChannels}_${p.maxHeight}x${p.maxWidth}_lane${p.lane ?? 0}of${p.lanes ?? 1}`,
});
