/**
 * MapWriter { port, K, wordBits = 16, maxChannels, maxHeight, maxWidth }: writes the output
 * groups of a layer (`PoolStage`'s `out`, `outputGroupType`) to external memory.
 *
 * Memory layout of an output map: word (channel, row, col) at word index
 * (channel x ho + row) x pitch + col from byte address `addr` (words of wordBits, word j of a beat
 * in its bits [j x wordBits, (j + 1) x wordBits)); `pitch` >= wo is a multiple of K, so a group
 * (at most K words from a multiple of K) never spans two beats. Words between wo and pitch are
 * not written.
 *
 * Ports: `cmd` (Decoupled { addr, c, ho, wo, pitch, bandRows, firstRows }, in; taken when idle):
 * the map's shape, the overlap-add band height (T, or T / 2 pooled) and the rows of its first
 * band (the overlap-add's first band is k - 1 rows short: T - (k - 1), or half that pooled); `in` (Decoupled group, in): groups
 * in the overlap-add order, a run of rows of one channel per band; `aw`, `w`, `b`: the write half
 * of a BurstPort (through a BurstWriter with strobes); `busy`: a map is being written and not
 * every burst of it is acknowledged.
 *
 * Flow: each run (one channel's rows of one band, contiguous in memory) is one write command of
 * the beats from its first to its last word; its groups are merged into beats (byte strobes for
 * the words they carry) and a beat goes out when the next group falls in another beat or the run
 * ends. One group per clock while the memory keeps up.
 */
import { Bool, Bundle, Decoupled, Input, Output, Reg, UInt, Vec, cat, defineModule, log2Ceil, mux, replicate, when, type Signal, type Var } from "../../core";
import { BurstCommand, BurstWriteBeat, Valid, assertStreamRules, burstWriterWithStrobes, selectTree, type BurstPortParams } from "../../lib";
import { bitsFor, checkParams, isIntIn } from "../generator-params";
import { outputGroupType } from "./pool-stage";

export interface MapWriterParams {
  readonly port: BurstPortParams;
  readonly K: number;
  readonly wordBits?: number;
  readonly maxChannels: number;
  readonly maxHeight: number;
  readonly maxWidth: number;
}


export const MapWriter = defineModule("MapWriter", (p: MapWriterParams) => {
  const { K } = p;
  const wordBits = p.wordBits ?? 16;
  const beatBits = 8 * p.port.dataBytes;
  const wpb = beatBits / wordBits;
  const wordBytes = wordBits / 8;
  checkParams([
    [Number.isInteger(wordBytes) && Number.isInteger(wpb) && wpb >= K && wpb % K === 0, `a memory beat (${beatBits} bits) must hold a multiple of K = ${K} words of ${wordBits} bits (whole bytes)`],
    [isIntIn(p.maxChannels, 1, 65535) && isIntIn(p.maxHeight, 1, 65535) && isIntIn(p.maxWidth, 1, 65535), "maxChannels, maxHeight and maxWidth must be integers in 1..65535"],
  ]);
  const groupP = { K, actBits: wordBits, maxWidth: p.maxWidth, maxHeight: p.maxHeight, maxChannels: p.maxChannels };
  const maxPitch = Math.ceil(p.maxWidth / K) * K;
  const wordsMax = p.maxChannels * p.maxHeight * maxPitch;
  const wordIdxBits = bitsFor(wordsMax);
  const shiftBits = log2Ceil(wpb);
  const cmd = Input(Decoupled(Bundle({ addr: UInt(p.port.addrBits), c: UInt(bitsFor(p.maxChannels)), ho: UInt(bitsFor(p.maxHeight)), wo: UInt(bitsFor(p.maxWidth)), pitch: UInt(bitsFor(maxPitch)), bandRows: UInt(bitsFor(p.maxHeight)), firstRows: UInt(bitsFor(p.maxHeight)) })));
  const input = Input(Decoupled(outputGroupType(groupP)), { name: "in" });
  const aw = Output(Decoupled(BurstCommand(p.port)));
  const w = Output(Decoupled(BurstWriteBeat(p.port)));
  const b = Input(Valid(Bool()));
  const busy = Output(Bool());

  // ---- the map ----
  const running = Reg(Bool(), { init: 0 });
  const base = Reg(UInt(p.port.addrBits), { init: 0 });
  const c = Reg(UInt(cmd.bits.c.width), { init: 0 });
  const ho = Reg(UInt(cmd.bits.ho.width), { init: 0 });
  const wo = Reg(UInt(cmd.bits.wo.width), { init: 0 });
  const pitch = Reg(UInt(cmd.bits.pitch.width), { init: 0 });
  const bandRows = Reg(UInt(cmd.bits.bandRows.width), { init: 0 });
  const firstRows = Reg(UInt(cmd.bits.firstRows.width), { init: 0 });
  cmd.ready.assign(running.not());
  when(cmd.valid.and(cmd.ready), () => {
    running.assign(1);
    base.assign(cmd.bits.addr);
    c.assign(cmd.bits.c);
    ho.assign(cmd.bits.ho);
    wo.assign(cmd.bits.wo);
    pitch.assign(cmd.bits.pitch);
    bandRows.assign(cmd.bits.bandRows);
    firstRows.assign(cmd.bits.firstRows);
  });

  const writer = burstWriterWithStrobes({ port: p.port, countBits: bitsFor(Math.ceil(wordsMax / wpb)) });
  aw.valid.assign(writer.aw.valid);
  aw.bits.addr.assign(writer.aw.bits.addr);
  aw.bits.len.assign(writer.aw.bits.len);
  writer.aw.ready.assign(aw.ready);
  w.valid.assign(writer.w.valid);
  w.bits.data.assign(writer.w.bits.data);
  w.bits.strb.assign(writer.w.bits.strb);
  w.bits.last.assign(writer.w.bits.last);
  writer.w.ready.assign(w.ready);
  writer.b.valid.assign(b.valid);
  writer.b.bits.assign(b.bits);

  // ---- where the group goes ----
  const g = input.bits;
  const rowIndex = g.channel.mul(ho).add(g.row); // channel x ho + row
  const wordAt = (row: Signal, col: Signal): Signal => row.mul(pitch).add(col).resize(wordIdxBits);
  const a = wordAt(rowIndex, g.col);
  const beatOf = (word: Signal): Signal => word.shr(shiftBits).resize(wordIdxBits);
  const prevChannel = Reg(UInt(g.channel.width), { init: 0 });
  const prevRow = Reg(UInt(g.row.width), { init: 0 });
  const started = Reg(Bool(), { init: 0 }); // a group of this map was taken
  when(cmd.valid.and(cmd.ready), () => started.assign(0));

  const rowsLeft = ho.subWrap(g.row).resize(ho.width);
  // a run from row 0 is the first band's (firstRows rows), any later one a whole band's
  const bandLen = mux(g.row.eq(0), firstRows, bandRows).resize(ho.width);
  const runRows = mux(rowsLeft.lt(bandLen), rowsLeft, bandLen).resize(ho.width);
  const runLastWord = wordAt(rowIndex.addWrap(runRows).subWrap(1).resize(rowIndex.width), wo.subWrap(1).resize(g.col.width));
  const runBeats = beatOf(runLastWord).subWrap(beatOf(a)).addWrap(1).resize(writer.cmd.bits.beats.width);
  const lastGroupOfMap = g.channel.eq(c.subWrap(1)).and(g.row.eq(ho.subWrap(1))).and(g.col.add(K).ge(wo));
  // the row after the run's last: set by the run's first group
  const runEnd = Reg(UInt(ho.width + 1), { init: 0 });
  // a run starts with another channel, a row that does not follow, or the previous run's end (one channel: bands follow on)
  const follows = g.channel.eq(prevChannel).and(g.row.eq(prevRow.addWrap(1))).and(g.row.zext(ho.width + 1).neq(runEnd));
  const newRun = started.not().or(g.col.eq(0).and(follows.not()));
  const runEndNow = mux(newRun, g.row.zext(ho.width + 1).add(runRows).resize(ho.width + 1), runEnd);
  const lastCol = g.col.add(K).ge(wo);
  const lastGroupOfRun = lastCol.and(g.row.zext(ho.width + 1).add(1).resize(ho.width + 1).eq(runEndNow));

  // ---- the beat being filled ----
  const toWriter = writer.in;
  const beat = Reg(Vec(wpb, UInt(wordBits)));
  const strb = Reg(UInt(p.port.dataBytes), { init: 0 });
  const beatIndex = Reg(UInt(wordIdxBits), { init: 0 });
  const beatFull = Reg(Bool(), { init: 0 }); // holds words, to go out
  const flushNow = Reg(Bool(), { init: 0 }); // the run ended with this beat: send it
  // a group may be taken when: (new run) the writer takes its command and no beat waits;
  // (same run, other beat) the waiting beat goes out this clock; (same beat) always
  const sameBeat = beatFull.and(flushNow.not()).and(beatOf(a).eq(beatIndex)).and(newRun.not());
  const beatOut = beatFull.and(toWriter.ready).and(flushNow.or(sameBeat.not().and(input.valid)));
  toWriter.valid.assign(beatFull.and(flushNow.or(sameBeat.not().and(input.valid))));
  toWriter.bits.data.assign(cat(...beat.elements.slice().reverse()));
  toWriter.bits.strb.assign(strb);
  const slotFree = beatFull.not().or(beatOut);
  const cmdOk = newRun.not().or(writer.cmd.ready);
  input.ready.assign(running.and(sameBeat.or(slotFree.and(cmdOk))));
  const take = input.valid.and(input.ready);
  writer.cmd.valid.assign(input.valid.and(running).and(newRun).and(slotFree));
  writer.cmd.bits.addr.assign(base.addWrap(beatOf(a).mul(p.port.dataBytes).resize(p.port.addrBits)));
  writer.cmd.bits.beats.assign(runBeats);

  // the group's words and strobes inside the beat
  const offset = a.bits(shiftBits - 1, 0);
  const slot = offset.shr(log2Ceil(K)).resize(Math.max(1, shiftBits - log2Ceil(K)));
  const groupStrb = cat(...Array.from({ length: K }, (_, j) => replicate(g.mask.bit(K - 1 - j), wordBytes)));
  const groupsPerBeat = wpb / K;
  when(beatOut, () => {
    beatFull.assign(0);
    flushNow.assign(0);
    strb.assign(0);
  });
  when(take, () => {
    started.assign(1);
    runEnd.assign(runEndNow);
    prevChannel.assign(g.channel);
    prevRow.assign(g.row);
    beatFull.assign(1);
    beatIndex.assign(beatOf(a));
    flushNow.assign(lastGroupOfRun.or(lastGroupOfMap));
    for (let s = 0; s < groupsPerBeat; s++) {
      when(slot.eq(s), () => {
        for (let j = 0; j < K; j++) beat.at(s * K + j).assign(g.values.at(j).asUInt());
      });
    }
    const placed = Array.from({ length: groupsPerBeat }, (_, s) => groupStrb.zext(p.port.dataBytes).shl(s * K * wordBytes).resize(p.port.dataBytes));
    const shifted = groupsPerBeat === 1 ? placed[0]! : selectTree(placed, slot);
    strb.assign(mux(sameBeat, strb.or(shifted), shifted));
    when(lastGroupOfMap, () => running.assign(0));
  });
  busy.assign(running.or(beatFull).or(writer.busy));
  assertStreamRules(aw, "aw");
  assertStreamRules(w, "w"); // given that `in` holds its group until ready
  return { cmd, in: input, aw, w, b, busy };
});
