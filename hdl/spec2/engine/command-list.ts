/**
 * A list of commands written by the host and run one after the other (a part of EngineSequencer
 * and Engine, called inside their module bodies).
 *
 * Control port (ctrl: Valid { addr, data: UInt(32) }), word addresses (`commandListMap`):
 *   stride i + j, j < entryWords   word j of entry i (stride: entryWords rounded up to a power of two)
 *   stride maxEntries              the number of entries to run
 *   stride maxEntries + 1          start (any data) runs the list from entry 0; ignored while busy
 * Writes while busy go to the list and the count but take effect at the next start.
 *
 * An entry is fetched from the list (a block RAM read, one word per clock) in entryWords + 1
 * clocks after start or after the previous entry's `done`, then offered (`offered`, its words in
 * `words`) until `ready`, then waited for until `entryDone`; `finished` pulses on the clock after
 * the last entry's `entryDone`.
 */
import { Bool, Mem, Reg, UInt, Vec, assert, cat, log2Ceil, when, type Signal, type Var } from "../../core";
import { bitsFor, checkParams, isIntIn } from "../generator-params";

export interface CommandListParams {
  readonly maxEntries: number;
  /** 32-bit words per entry */
  readonly entryWords: number;
}

/** Word addresses of the control port. */
export interface ControlMap {
  /** first word of the list (entry i word j at list + stride i + j) */
  readonly list: number;
  readonly stride: number;
  /** the count register */
  readonly layers: number;
  readonly start: number;
  readonly addrBits: number;
}

export function commandListMap(p: CommandListParams): ControlMap {
  const stride = 2 ** log2Ceil(p.entryWords);
  const layers = stride * p.maxEntries;
  return { list: 0, stride, layers, start: layers + 1, addrBits: log2Ceil(layers + 2) };
}

export interface CommandList {
  /** the current entry's words (valid while offered) */
  readonly words: { at(i: number): Var };
  readonly offered: Signal;
  readonly busy: Signal;
  readonly index: Signal;
  /** one clock after the last entry's done */
  readonly done: Signal;
}

interface Ctrl {
  readonly valid: Signal;
  readonly bits: { readonly addr: Signal; readonly data: Signal };
}

export function commandList(p: CommandListParams, ctrl: Ctrl, ready: Signal, entryDone: Signal): CommandList {
  checkParams([
    [isIntIn(p.maxEntries, 1, 1 << 16), `maxEntries must be an integer in 1..65536, got ${p.maxEntries}`],
    [isIntIn(p.entryWords, 1, 256), `entryWords must be an integer in 1..256, got ${p.entryWords}`],
  ]);
  const map = commandListMap(p);
  const W = p.entryWords;
  const strideBits = log2Ceil(map.stride);
  const indexBits = log2Ceil(Math.max(2, p.maxEntries));

  // ---- the host's writes ----
  const listWords = map.stride * p.maxEntries;
  const addrBits = log2Ceil(Math.max(2, listWords));
  const list = Mem(listWords, UInt(32), { style: listWords > 64 ? "block" : "distributed" });
  const count = Reg(UInt(bitsFor(p.maxEntries)), { init: 0 });
  const isList = ctrl.bits.addr.lt(map.layers);
  when(ctrl.valid.and(isList), () => list.write(ctrl.bits.addr.resize(addrBits), ctrl.bits.data));
  when(ctrl.valid.and(ctrl.bits.addr.eq(map.layers)), () => count.assign(ctrl.bits.data.resize(count.width)));
  const startWrite = ctrl.valid.and(ctrl.bits.addr.eq(map.start));

  // ---- fetch, offer, wait ----
  const running = Reg(Bool(), { init: 0 });
  const current = Reg(UInt(indexBits), { init: 0 });
  const fetching = Reg(Bool(), { init: 0 });
  const word = Reg(UInt(log2Ceil(W + 1)), { init: 0 }); // next word to read
  const arriving = Reg(Bool(), { init: 0 }); // the read of word - 1 lands this clock
  const offered = Reg(Bool(), { init: 0 });
  const waiting = Reg(Bool(), { init: 0 });
  const finished = Reg(Bool(), { init: 0 });
  const words = Reg(Vec(W, UInt(32)));
  const wordAddr = strideBits === 0 ? current : cat(current, word.resize(strideBits));
  const readAddr = wordAddr.resize(addrBits); // stride x entry + word
  const reading = fetching.and(word.lt(W));
  const q = list.readSync(readAddr, { enable: reading });
  const landed = word.subWrap(1).resize(Math.max(1, log2Ceil(W)));
  when(arriving, () => (W === 1 ? words.at(0) : words.at(landed)).assign(q));
  arriving.assign(reading);
  when(reading, () => word.assign(word.addWrap(1)));
  when(fetching.and(word.eq(W)).and(arriving.not()), () => {
    fetching.assign(0);
    offered.assign(1);
  });

  const begin = (i: Signal | number): void => {
    current.assign(i);
    fetching.assign(1);
    word.assign(0);
  };
  finished.assign(0);
  when(running.not().and(startWrite).and(count.neq(0)), () => {
    running.assign(1);
    begin(0);
  });
  when(offered.and(ready), () => {
    offered.assign(0);
    waiting.assign(1);
  });
  when(waiting.and(entryDone), () => {
    waiting.assign(0);
    const last = current.zext(count.width + 1).add(1).ge(count);
    when(last, () => {
      running.assign(0);
      finished.assign(1);
    }).otherwise(() => begin(current.addWrap(1)));
  });
  // the entry offered stays until taken: its words are fetched before and not again until it is
  // taken (invariants for the induction, test/spec2/engine/stream-rules.test.ts)
  // one of fetching, offered and waiting at a time, and only while running
  assert(arriving.not().or(fetching), "a list word lands only while fetching");
  assert(fetching.not().or(offered.not().and(waiting.not())), "an entry is fetched, offered or waited for, one at a time");
  assert(offered.not().or(waiting.not()), "an entry offered is not yet taken");
  assert(fetching.or(offered).or(waiting).not().or(running), "an entry is fetched, offered or waited for only while running");
  return { words, offered, busy: running, index: current, done: finished };
}
