/**
 * MapLoader { port, wordBits = 16, loadWords, maxChannels, maxHeight, maxWidth }: reads a
 * feature map of run-time shape from external memory and streams it as the load beats of an
 * input tiler (`../input-tiler.ts`): channels ascending, rows, then the columns of a row in
 * beats of `loadWords` words (a row takes ceil(w / loadWords) beats; words past the row's end
 * in its last beat are unspecified).
 *
 * Memory layout (as MapWriter writes it): word (channel, row, column) at word index
 * channel x stride + row x pitch + column from byte address `addr` (a multiple of the beat),
 * pitch - w < wordsPerBeat words of padding after each row (pitch = w: rows packed); word j of a
 * memory beat is its bits [j x wordBits, (j + 1) x wordBits). A whole map has stride = h_map x
 * pitch; h rows of a taller map (a band of rows for BandTiler) keep the map's stride, and `addr`
 * plus the band's first row offset (any word, not only a beat start) selects them.
 *
 * Ports: `cmd` (Decoupled { addr, first, c, h, w, pitch, stride }, in; taken when idle; `first`:
 * the word offset of channel 0's first word from `addr`), `ar`/`r` (the read half of a
 * BurstPort, through a BurstReader), `out` (Decoupled { data: Vec(loadWords, SInt(wordBits)),
 * last }: `last` on the map's final beat), `busy`.
 *
 * Reads: one BurstReader command per channel, the beats from the one holding its first word to
 * the one holding its last (the words of other rows or channels around them are dropped), so a
 * band of a large map costs only its own rows' traffic; the commands follow each other without
 * waiting for the data.
 * Stream rules (assertStreamRules, proved in test/spec2/engine/stream-rules.test.ts for commands of
 * a valid shape): `ar` and `out` keep valid and their word until ready, except the words of a beat
 * past its row's end: they are unspecified and may change while the beat waits.
 *
 * Timing: one out beat per clock while memory keeps up, one clock more per padded row (a memory beat holds wordsPerBeat >=
 * loadWords words; two of them are held, the out words picked by a mux from the pair). Cost:
 * loadWords muxes of 2 x wordsPerBeat words.
 */
import { Bool, Bundle, Decoupled, Input, Output, Reg, SInt, UInt, Vec, cat, constant, defineModule, log2Ceil, mux, when, type Signal } from "../../core";
import { BurstBeat, assertStreamRules, BurstCommand, BurstReader, selectTree, type BurstPortParams } from "../../lib";
import { bitsFor, checkParams, isIntIn } from "../generator-params";

export interface MapLoaderParams {
  readonly port: BurstPortParams;
  readonly wordBits?: number;
  readonly loadWords: number;
  readonly maxChannels: number;
  readonly maxHeight: number;
  readonly maxWidth: number;
  /** the reader's buffer in beats (BurstReader bufferBeats; default two bursts) */
  readonly bufferBeats?: number;
}


/** MapLoader's `cmd` bundle for maps of up to maxChannels x maxHeight x maxWidth words. */
export function mapLoadCommandType(p: { readonly port: BurstPortParams; readonly maxChannels: number; readonly maxHeight: number; readonly maxWidth: number; readonly wordsPerBeat: number }) {
  const maxPitch = p.maxWidth + p.wordsPerBeat - 1;
  const strideBits = bitsFor(p.maxHeight * maxPitch);
  return Bundle({
    addr: UInt(p.port.addrBits),
    first: UInt(strideBits),
    c: UInt(bitsFor(p.maxChannels)),
    h: UInt(bitsFor(p.maxHeight)),
    w: UInt(bitsFor(p.maxWidth)),
    pitch: UInt(bitsFor(maxPitch)),
    stride: UInt(strideBits),
  });
}

export const MapLoader = defineModule("MapLoader", (p: MapLoaderParams) => {
  const wordBits = p.wordBits ?? 16;
  const beatBits = 8 * p.port.dataBytes;
  const wpb = beatBits / wordBits;
  checkParams([
    [Number.isInteger(wpb) && wpb >= 1 && (wpb & (wpb - 1)) === 0, `the memory beat (${beatBits} bits) must hold a power-of-two number of ${wordBits}-bit words`],
    [isIntIn(p.loadWords, 1, wpb), `loadWords must be an integer in 1..${wpb} (words per memory beat), got ${p.loadWords}`],
    [isIntIn(p.maxChannels, 1, 65535) && isIntIn(p.maxHeight, 1, 65535) && isIntIn(p.maxWidth, 1, 65535), "maxChannels, maxHeight and maxWidth must be integers in 1..65535"],
  ]);
  const totalMax = p.maxChannels * p.maxHeight * (p.maxWidth + wpb - 1);
  const beatsMax = Math.ceil(totalMax / wpb);
  const countBits = bitsFor(beatsMax);
  const maxPitch = p.maxWidth + wpb - 1;
  const strideBits = bitsFor(p.maxHeight * maxPitch);
  const cmd = Input(Decoupled(mapLoadCommandType({ ...p, wordsPerBeat: wpb })));
  const ar = Output(Decoupled(BurstCommand(p.port)));
  const r = Input(Decoupled(BurstBeat(p.port)));
  const out = Output(Decoupled(Bundle({ data: Vec(p.loadWords, SInt(wordBits)), last: Bool() })));
  const busy = Output(Bool());

  // ---- the shape of the map being loaded ----
  const running = Reg(Bool(), { init: 0 });
  const c = Reg(UInt(cmd.bits.c.width), { init: 0 });
  const h = Reg(UInt(cmd.bits.h.width), { init: 0 });
  const w = Reg(UInt(cmd.bits.w.width), { init: 0 });
  const col = Reg(UInt(cmd.bits.w.width), { init: 0 });
  const row = Reg(UInt(cmd.bits.h.width), { init: 0 });
  const channel = Reg(UInt(cmd.bits.c.width), { init: 0 });
  const ptrBits = Math.max(1, log2Ceil(wpb)); // a word offset inside a memory beat
  const pad = Reg(UInt(ptrBits), { init: 0 }); // pitch - w
  const skipping = Reg(Bool(), { init: 0 }); // dropping a row's padding

  // ---- the reader: per channel, the beats holding its words ----
  const lw = log2Ceil(wpb);
  const wordAddrBits = p.port.addrBits + strideBits + bitsFor(p.maxChannels) + 1;
  const reader = BurstReader.instance({ port: p.port, countBits, ...(p.bufferBeats ? { bufferBeats: p.bufferBeats } : {}) });
  const base = Reg(UInt(p.port.addrBits), { init: 0 });
  const stride = Reg(UInt(strideBits), { init: 0 });
  const span = Reg(UInt(strideBits), { init: 0 }); // words from a channel's first to its last, + 1: (h - 1) pitch + w
  const issuing = Reg(Bool(), { init: 0 });
  const issueLeft = Reg(UInt(cmd.bits.c.width), { init: 0 }); // channels whose reads are not yet asked for
  const issueStart = Reg(UInt(wordAddrBits), { init: 0 }); // the next channel's first word, from base
  const dataStart = Reg(UInt(wordAddrBits), { init: 0 }); // the first word of the channel being streamed, from base
  const lead = issueStart.bits(Math.max(0, lw - 1), 0).resize(lw === 0 ? 1 : lw);
  const beatOf = (wordIndex: Signal): Signal => (lw === 0 ? wordIndex : wordIndex.shr(lw));
  reader.cmd.valid.assign(issuing);
  reader.cmd.bits.addr.assign(base.addWrap(beatOf(issueStart).mul(p.port.dataBytes).resize(p.port.addrBits)));
  reader.cmd.bits.beats.assign(beatOf((lw === 0 ? constant(0, UInt(1)) : lead).zext(strideBits + 1).add(span).add(wpb - 1)).resize(countBits));
  when(reader.cmd.valid.and(reader.cmd.ready), () => {
    issueStart.assign(issueStart.addWrap(stride.zext(wordAddrBits)));
    issueLeft.assign(issueLeft.subWrap(1));
    when(issueLeft.eq(1), () => issuing.assign(0));
  });
  cmd.ready.assign(running.not().and(issuing.not()));
  ar.valid.assign(reader.ar.valid);
  ar.bits.addr.assign(reader.ar.bits.addr);
  ar.bits.len.assign(reader.ar.bits.len);
  reader.ar.ready.assign(ar.ready);
  reader.r.valid.assign(r.valid);
  reader.r.bits.data.assign(r.bits.data);
  reader.r.bits.last.assign(r.bits.last);
  r.ready.assign(reader.r.ready);

  // ---- a window of two memory beats: lo (words ptr.. are next) and hi ----
  const lo = Reg(UInt(beatBits));
  const hi = Reg(UInt(beatBits));
  const loValid = Reg(Bool(), { init: 0 });
  const hiValid = Reg(Bool(), { init: 0 });
  const ptr = Reg(UInt(ptrBits), { init: 0 });
  const rowLeft = w.subWrap(col).resize(w.width);
  const take = mux(rowLeft.lt(p.loadWords), rowLeft, p.loadWords).resize(bitsFor(p.loadWords)); // words in this beat
  const inLo = mux(loValid, constant(wpb, UInt(bitsFor(wpb))).subWrap(ptr.zext(bitsFor(wpb))), 0).resize(bitsFor(2 * wpb));
  const avail = inLo.add(mux(hiValid, wpb, 0)).resize(bitsFor(2 * wpb) + 1);
  out.valid.assign(running.and(skipping.not()).and(avail.ge(take)));
  const windowWords: Signal[] = [];
  for (let j = 0; j < wpb; j++) windowWords.push(lo.bits((j + 1) * wordBits - 1, j * wordBits));
  for (let j = 0; j < wpb; j++) windowWords.push(hi.bits((j + 1) * wordBits - 1, j * wordBits));
  for (let q = 0; q < p.loadWords; q++) {
    // word q of the beat is window word ptr + q (ptr + q < 2 x wpb since q < loadWords <= wpb)
    const at = ptr.zext(ptrBits + 1).addWrap(q).resize(ptrBits + 1);
    out.bits.data.at(q).assign(selectTree(windowWords, at).asSInt());
  }
  const lastRow = row.eq(h.subWrap(1));
  const lastChannel = channel.eq(c.subWrap(1));
  const rowEnd = rowLeft.le(p.loadWords);
  out.bits.last.assign(rowEnd.and(lastRow).and(lastChannel));
  const fire = out.valid.and(out.ready);
  const skipNow = skipping.and(avail.ge(pad));
  const used = fire.or(skipNow); // words leave the window: take of them, or the padding
  const next = ptr.zext(ptrBits + 1).add(mux(skipping, pad, take)).resize(ptrBits + 2);
  // a channel's last word out (not the map's): the rest of its last beat is dropped, and the
  // next channel starts at its first word in the next beat to arrive
  const channelEnd = fire.and(rowEnd).and(lastRow).and(lastChannel.not());
  const nextStart = dataStart.addWrap(stride.zext(wordAddrBits));
  const nextLead = nextStart.bits(Math.max(0, lw - 1), 0).resize(ptrBits);
  const consumeLo = used.and(next.ge(wpb)).or(channelEnd);
  const incoming = reader.out;
  incoming.ready.assign(hiValid.not());
  const arrives = incoming.valid.and(incoming.ready);
  when(consumeLo, () => {
    lo.assign(hi);
    loValid.assign(hiValid);
    hiValid.assign(0);
    ptr.assign(mux(channelEnd, lw === 0 ? constant(0, UInt(ptrBits)) : nextLead, next.subWrap(wpb).resize(ptrBits)));
    when(arrives, () => {
      lo.assign(incoming.bits);
      loValid.assign(1);
    });
  }).otherwise(() => {
    when(used, () => ptr.assign(next.resize(ptrBits)));
    when(arrives, () => {
      when(loValid, () => {
        hi.assign(incoming.bits);
        hiValid.assign(1);
      }).otherwise(() => {
        lo.assign(incoming.bits);
        loValid.assign(1);
      });
    });
  });

  // the channel's last word was in hi: that beat is its last, dropped too (nothing arrives:
  // hi was full)
  when(channelEnd.and(next.gt(wpb)), () => {
    loValid.assign(0);
    hiValid.assign(0);
  });
  when(channelEnd, () => dataStart.assign(nextStart));

  // ---- position in the map ----
  when(cmd.valid.and(cmd.ready), () => {
    running.assign(1);
    base.assign(cmd.bits.addr);
    stride.assign(cmd.bits.stride);
    span.assign(cmd.bits.h.subWrap(1).mul(cmd.bits.pitch).add(cmd.bits.w).resize(strideBits));
    issuing.assign(1);
    issueLeft.assign(cmd.bits.c);
    issueStart.assign(cmd.bits.first.zext(wordAddrBits));
    dataStart.assign(cmd.bits.first.zext(wordAddrBits));
    c.assign(cmd.bits.c);
    h.assign(cmd.bits.h);
    w.assign(cmd.bits.w);
    pad.assign(cmd.bits.pitch.subWrap(cmd.bits.w).resize(pad.width));
    skipping.assign(0);
    col.assign(0);
    row.assign(0);
    channel.assign(0);
    ptr.assign(lw === 0 ? constant(0, UInt(ptrBits)) : cmd.bits.first.bits(Math.max(0, lw - 1), 0).resize(ptrBits));
  });
  when(skipNow, () => skipping.assign(0));
  when(fire, () => {
    when(rowEnd, () => {
      col.assign(0);
      skipping.assign(pad.neq(0));
      when(lastRow, () => {
        row.assign(0);
        when(lastChannel, () => {
          running.assign(0);
          skipping.assign(0);
          // the map's last memory beat may hold words of no one: drop them
          loValid.assign(0);
          hiValid.assign(0);
        }).otherwise(() => {
          channel.assign(channel.addWrap(1));
          skipping.assign(0);
        });
      }).otherwise(() => row.assign(row.addWrap(1)));
    }).otherwise(() => col.assign(col.addWrap(p.loadWords)));
  });
  busy.assign(running.or(reader.busy));
  assertStreamRules(ar, "ar");
  // the rule covers the words a beat carries: those past the row's end may change while it waits
  const carried = out.bits.data.elements.map((d, q) => mux(take.gt(q), d.asUInt(), 0));
  assertStreamRules({ valid: out.valid, ready: out.ready, bits: cat(out.bits.last, ...carried.reverse()) }, "out");
  return { cmd, ar, r, out, busy };
});
