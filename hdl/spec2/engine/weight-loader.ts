/**
 * WeightLoader { port, row, maxDepth, tileBits, burstBeats?, bufferBeats? }: reads a schedule's
 * weight image (weight-image.ts) from external memory and streams its rows into a PE array's
 * `weights` port (PeArray with `weights: { maxDepth }`, ../weight-buffer.ts).
 *
 * Ports: `cmd` (Decoupled { addr, rows, tiles }, in; taken when idle: the image at byte address
 * `addr` (a multiple of the beat), `rows` >= 1 rows, the bank serving `tiles` >= 1 tiles),
 * `ar`/`r` (the read half of a BurstPort, through a BurstReader), `rows` (Decoupled WeightRow,
 * out: `last` and `tiles` on the command's final row), `busy`. With a row shape of run-time
 * channel counts (`row.cinBits`, `row.coutBits`, ../weight-row.ts) the command also has the
 * layer's `cin` and `cout`, passed on with `tiles`.
 *
 * Timing: a row every rowBeats clocks while memory keeps up (one row per clock when a row fits a
 * beat); the first beats of a row wait in registers, its last comes straight from the reader's
 * buffer. A new command is taken once every row of the previous one is out.
 */
import { Bool, Bundle, Decoupled, Input, Output, Reg, UInt, cat, connect, defineModule, mux, when, type Signal, type Var } from "../../core";
import { BurstBeat, BurstCommand, BurstReader, maxBurstBeats, mulConst, type BurstPortParams } from "../../lib";
import { bitsFor, checkParams, isIntIn } from "../generator-params";
import { WeightRow, rowBits, unpackRow, type WeightRowShape } from "../weight-row";
import { rowBeats } from "./weight-image";

export interface WeightLoaderParams {
  readonly port: BurstPortParams;
  readonly row: WeightRowShape;
  /** the most rows of one command (the weight buffer's bank depth) */
  readonly maxDepth: number;
  /** bits of `tiles` (as the array's) */
  readonly tileBits: number;
  readonly burstBeats?: number;
  readonly bufferBeats?: number;
}

export const WeightLoader = defineModule("WeightLoader", (p: WeightLoaderParams) => {
  checkParams([
    [isIntIn(p.maxDepth, 1, 1 << 20), `maxDepth must be an integer in 1..2^20, got ${p.maxDepth}`],
    [isIntIn(p.tileBits, 1, 32), `tileBits must be an integer in 1..32, got ${p.tileBits}`],
  ]);
  const beatBits = 8 * p.port.dataBytes;
  const perRow = rowBeats(p.row, p.port.dataBytes);
  // BurstReader needs room in `beats` for one whole burst too
  const countBits = bitsFor(Math.max(p.maxDepth * perRow, p.burstBeats ?? maxBurstBeats(p.port)));
  const cmdFields = { addr: UInt(p.port.addrBits), rows: UInt(bitsFor(p.maxDepth)), tiles: UInt(p.tileBits) };
  const channels = p.row.cinBits !== undefined && p.row.coutBits !== undefined ? { cin: UInt(p.row.cinBits), cout: UInt(p.row.coutBits) } : undefined;
  const cmd = Input(Decoupled(channels ? Bundle({ ...cmdFields, ...channels }) : Bundle(cmdFields)));
  const ar = Output(Decoupled(BurstCommand(p.port)));
  const r = Input(Decoupled(BurstBeat(p.port)));
  const rows = Output(Decoupled(WeightRow(p.row, p.tileBits)));
  const busy = Output(Bool());

  // ---- the command: every beat of the image ----
  const left = Reg(UInt(cmd.bits.rows.width), { init: 0 }); // rows not yet out
  const tiles = Reg(UInt(p.tileBits), { init: 0 });
  const counts = channels ? { cin: Reg(channels.cin, { init: 0, name: "cin" }), cout: Reg(channels.cout, { init: 0, name: "cout" }) } : undefined;
  const reader = BurstReader.instance({ port: p.port, countBits, ...(p.burstBeats ? { burstBeats: p.burstBeats } : {}), ...(p.bufferBeats ? { bufferBeats: p.bufferBeats } : {}) });
  reader.cmd.valid.assign(cmd.valid.and(left.eq(0)));
  reader.cmd.bits.addr.assign(cmd.bits.addr);
  reader.cmd.bits.beats.assign(mulConst(cmd.bits.rows, perRow).resize(countBits));
  cmd.ready.assign(left.eq(0).and(reader.cmd.ready));
  connect(ar, reader.ar);
  connect(reader.r, r);
  when(cmd.valid.and(cmd.ready), () => {
    left.assign(cmd.bits.rows);
    tiles.assign(cmd.bits.tiles);
    if (counts) for (const k of ["cin", "cout"] as const) counts[k].assign((cmd.bits as unknown as Record<typeof k, Signal>)[k]);
  });

  // ---- rows from beats: the first perRow - 1 held, the last from the reader ----
  const beat = reader.out;
  const held = Array.from({ length: perRow - 1 }, (_, j) => Reg(UInt(beatBits), { name: `held${j}` }));
  const k = perRow === 1 ? undefined : Reg(UInt(bitsFor(perRow - 1)), { init: 0, name: "beat_in_row" });
  const complete = k === undefined ? beat.valid : beat.valid.and(k.eq(perRow - 1));
  rows.valid.assign(complete);
  beat.ready.assign(k === undefined ? rows.ready : k.neq(perRow - 1).or(rows.ready));
  if (k !== undefined) {
    when(beat.valid.and(beat.ready), () => {
      held.forEach((h, j) => when(k.eq(j), () => h.assign(beat.bits)));
      k.assign(mux(k.eq(perRow - 1), 0, k.addWrap(1)));
    });
  }
  const bits = cat(beat.bits, ...held.slice().reverse()).bits(rowBits(p.row) - 1, 0);
  unpackRow(bits, p.row, rows.bits);
  rows.bits.last.assign(left.eq(1));
  rows.bits.tiles.assign(tiles);
  if (counts) for (const k of ["cin", "cout"] as const) (rows.bits as unknown as Record<typeof k, Var>)[k].assign(counts[k]);
  when(rows.valid.and(rows.ready), () => left.assign(left.subWrap(1)));
  busy.assign(left.neq(0).or(reader.busy));
  return { cmd, ar, r, rows, busy };
});
