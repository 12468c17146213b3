/**
 * assertQueueOrder(q): assertions that a first-in first-out queue loses, duplicates and reorders
 * no word, for any producer and any consumer, stated so that k-induction proves them (the
 * "tracked word" method). For a queue's own checks (Queue and the example FIFO with `checkOrder`).
 *
 * A register `track` that is never written and has no reset picks one word index, and `value`
 * records the word pushed with that index. In a proof `track` is free in the initial state, so
 * the proof covers every index; in simulation it is X on Icarus (the checks then never fire) and
 * 0 on Verilator and the JS backend (they follow the first word and every 2^W-th after it).
 * Indices count modulo 2^W, W = bits of capacity + 1 plus one, so no two words in the queue at
 * once share an index. Asserted:
 *   - the words held (`count`) are the words pushed and not yet popped;
 *   - the word popped with index `track` is `value` (the property);
 *   - while that word is in the queue it waits at its place: `wordAt(track - popped)` is `value`
 *     (the invariant that makes the property inductive; `wordAt` reads the queue's storage, a
 *     read that feeds only the checks, so synthesis removes it).
 */
import { Reg, UInt, assert, log2Ceil, mux, when, type Signal } from "../core/index.js";

export interface QueueOrderSignals {
  /** a word enters (enq valid and ready) */
  readonly push: Signal;
  /** the word entering, as one UInt */
  readonly pushBits: Signal;
  /** a word leaves (deq valid and ready) */
  readonly pop: Signal;
  /** the word leaving, as one UInt */
  readonly popBits: Signal;
  /** words held (a word passing through an empty queue in one cycle is not held) */
  readonly count: Signal;
  /** most words the queue holds */
  readonly capacity: number;
  /** the word held at position `pos` (0: the oldest), for pos < count, as one UInt */
  readonly wordAt: (pos: Signal) => Signal;
}

export function assertQueueOrder(q: QueueOrderSignals): void {
  const w = log2Ceil(q.capacity + 1) + 1;
  const track = Reg(UInt(w), { name: "order_track" });
  track.assign(track); // never changes: a free constant in a proof
  const value = Reg(UInt(q.pushBits.width), { name: "order_value" });
  const pushed = Reg(UInt(w), { init: 0, name: "order_pushed" });
  const popped = Reg(UInt(w), { init: 0, name: "order_popped" });
  when(q.push, () => pushed.assign(pushed.addWrap(1)));
  when(q.pop, () => popped.assign(popped.addWrap(1)));
  const count = q.count.zext(w);
  assert(pushed.subWrap(popped).eq(count), "the words held are the words pushed and not popped");
  const pushingTracked = q.push.and(pushed.eq(track));
  when(pushingTracked, () => value.assign(q.pushBits));
  const pos = track.subWrap(popped);
  when(pos.lt(count), () => assert(q.wordAt(pos).eq(value), "a word waits at its place in the queue"));
  // a word that flows through an empty queue leaves in the cycle it enters
  const expected = mux(pushingTracked, q.pushBits, value);
  when(q.pop.and(popped.eq(track)), () => assert(q.popBits.eq(expected), "every word leaves as it entered, in order"));
}
