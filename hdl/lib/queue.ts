/**
 * Queue { type, depth, pipe = false, flow = false }: a first-in first-out buffer of `depth`
 * words of any hardware type, with Decoupled ports `enq` (in) and `deq` (out) and `count` (the
 * words held, 0..depth).
 *
 * Two implementations, chosen by depth:
 *   depth <= 32: the words in a memory read asynchronously (flip-flops or LUT RAM; Yosys maps a
 *     4-deep queue to registers), `deq.bits` straight from the head word. `pipe`: enq.ready stays
 *     high when full while deq takes a word (one word per clock through a 1-deep queue); `flow`:
 *     when empty, a word offered on enq passes to deq in the same cycle (it is not stored if taken).
 *   depth > 32: the words in a memory read synchronously (block RAM) plus an output register that
 *     holds the head, so `deq.valid`/`deq.bits` are registers; one word per clock either way.
 *     `pipe` and `flow` need the register queue (a parameter error otherwise).
 * Transfers happen on clock edges where valid and ready are both high. `queue({ type, depth })`
 * places one with ports typed by `type`. `deq` keeps the stream rule (asserted; with `flow`, when
 * `enq` does). `checkOrder` (register queue only) adds the assertions that no word is lost,
 * duplicated or reordered (queue-order.ts), for proofs.
 */
import { Decoupled, Input, Mem, Output, Reg, UInt, assert, defineModule, log2Ceil, mux, requireParam, when, type DecoupledType, type HdlType, type Signal, type Value, type Var } from "../core/index.js";
import { pack, typeWidth, unpackInto } from "./pack.js";
import { assertQueueOrder } from "./queue-order.js";
import { assertStreamRules } from "./stream-rules.js";

export interface QueueParams {
  readonly type: HdlType;
  readonly depth: number;
  readonly pipe?: boolean;
  readonly flow?: boolean;
  /** Add the assertions that no word is lost, duplicated or reordered (for proofs; queue-order.ts). */
  readonly checkOrder?: boolean;
}

/** Largest depth built from registers / LUT RAM with asynchronous reads. */
export const QUEUE_REGISTER_DEPTH = 32;

export const Queue = defineModule("Queue", (p: QueueParams) => {
  const { depth } = p;
  requireParam(Number.isInteger(depth) && depth >= 1, `depth must be a positive integer, got ${depth}`);
  const small = depth <= QUEUE_REGISTER_DEPTH;
  requireParam(small || (!p.pipe && !p.flow), `pipe and flow need depth <= ${QUEUE_REGISTER_DEPTH} (the register queue), got depth ${depth}`);
  requireParam(small || !p.checkOrder, `checkOrder needs depth <= ${QUEUE_REGISTER_DEPTH} (the register queue), got depth ${depth}`);
  const enq = Input(Decoupled(p.type));
  const deq = Output(Decoupled(p.type));
  const count = Output(UInt(log2Ceil(depth + 1)));
  const width = typeWidth(p.type);
  const aw = log2Ceil(depth);
  const words = Mem(depth, UInt(width), small ? {} : { style: "block" });
  const head = Reg(UInt(aw), { init: 0 });
  const tail = Reg(UInt(aw), { init: 0 });
  // ptr + step (step < depth) modulo depth
  const next = (ptr: Signal, step: Signal | number = 1): Signal => {
    if (2 ** aw === depth) return ptr.addWrap(step);
    if (step === 1) return mux(ptr.eq(depth - 1), 0, ptr.addWrap(1));
    const sum = ptr.zext(aw + 1).add(step).resize(aw + 1);
    return mux(sum.ge(depth), sum.subWrap(depth), sum).resize(aw);
  };

  if (small) {
    // ---- register queue: the head word read asynchronously ----
    const used = Reg(UInt(log2Ceil(depth + 1)), { init: 0 });
    const empty = used.eq(0);
    const full = used.eq(depth);
    const bypass = p.flow ? empty.and(enq.valid) : undefined;
    deq.valid.assign(bypass ? empty.not().or(enq.valid) : empty.not());
    unpackInto(bypass ? mux(empty, pack(enq.bits), words.readAsync(head)) : words.readAsync(head), deq.bits);
    const popped = deq.valid.and(deq.ready);
    enq.ready.assign(p.pipe ? full.not().or(deq.ready) : full.not());
    const pushed = enq.valid.and(enq.ready);
    // a word that flows through an empty queue is neither stored nor counted
    const store = bypass ? pushed.and(bypass.and(deq.ready).not()) : pushed;
    const take = bypass ? popped.and(empty.not()) : popped;
    when(store, () => {
      words.write(tail, pack(enq.bits));
      tail.assign(next(tail));
    });
    when(take, () => head.assign(next(head)));
    used.assign(used.add(store.zext(used.width)).subWrap(take.zext(used.width + 1)).resize(used.width));
    count.assign(used);
    // invariants, checked in simulation and proved by induction (test/lib/formal.test.ts)
    assert(used.le(depth), "a queue holds at most depth words");
    if (p.checkOrder) {
      const wordAt = (pos: Signal): Signal => words.readAsync(depth === 1 ? head : next(head, pos.resize(aw)));
      assertQueueOrder({ push: pushed, pushBits: pack(enq.bits), pop: popped, popBits: pack(deq.bits), count: used, capacity: depth, wordAt });
    }
    if (2 ** aw === depth && depth > 1) assert(tail.subWrap(head).eq(used.trunc(aw)), "the pointers are as far apart as the words held");
    else if (depth > 1) {
      // the same modulo depth, and both pointers inside the memory
      const ahead = head.zext(aw + 1).add(used.zext(aw + 1)).resize(aw + 2);
      const wrapped = mux(ahead.ge(depth), ahead.subWrap(depth), ahead).resize(aw + 2);
      assert(head.lt(depth).and(tail.lt(depth)), "the pointers stay inside the memory");
      assert(wrapped.eq(tail.zext(aw + 2)), "the pointers are as far apart as the words held");
    }
  } else {
    // ---- block-RAM queue: memory read synchronously into an output register ----
    const stored = Reg(UInt(log2Ceil(depth + 1)), { init: 0 }); // words in memory
    const outValid = Reg(UInt(1), { init: 0 });
    const total = stored.add(outValid);
    const popped = outValid.and(deq.ready);
    const load = stored.neq(0).and(outValid.not().or(popped));
    enq.ready.assign(total.lt(depth));
    const pushed = enq.valid.and(enq.ready);
    when(pushed, () => {
      words.write(tail, pack(enq.bits));
      tail.assign(next(tail));
    });
    unpackInto(words.readSync(head, { enable: load }), deq.bits);
    when(load, () => head.assign(next(head)));
    stored.assign(stored.add(pushed.zext(stored.width)).subWrap(load.zext(stored.width + 1)).resize(stored.width));
    when(load, () => outValid.assign(1)).elsewhen(popped, () => outValid.assign(0));
    deq.valid.assign(outValid);
    count.assign(total.resize(count.width));
    assert(total.le(depth), "a queue holds at most depth words");
  }
  // with `flow`, a word passing through an empty queue is held only while enq holds it
  assertStreamRules(deq, "deq");
  return { enq, deq, count };
});

/** A Queue instance with ports typed by `p.type` (Queue.instance's are typed by HdlType in general). */
export function queue<T extends HdlType>(p: QueueParams & { readonly type: T }, opts?: { name?: string }): { enq: Value<DecoupledType<T>>; deq: Value<DecoupledType<T>>; count: Var } {
  return Queue.instance(p, opts) as unknown as { enq: Value<DecoupledType<T>>; deq: Value<DecoupledType<T>>; count: Var };
}
