/**
 * The design the probe tests watch: the FIFO example as instance `q` and a counter two levels
 * down (`mid.leaf`), with a reference model of what their internal state must hold, computed from
 * the stimulus and the handshakes seen on the ports (not from the design's code).
 */
import { Bool, Decoupled, Input, Output, Reg, SInt, UInt, WireDefault, cat, defineModule, when } from "../../hdl/core";
import { Fifo } from "../../examples/fifo";

export const DEPTH = 4;

/**
 * Counts the cycles with `en` high, sums `step` over them in 8 and in 70 bits, and keeps the last
 * steps in a 100-bit shift register; shows only a bit of the count (and of a register left unnamed).
 */
const Leaf = defineModule("Leaf", () => {
  const en = Input(Bool());
  const step = Input(SInt(8));
  const odd = Output(Bool());
  const ticks = Reg(UInt(8), { init: 0 });
  const acc = Reg(SInt(8), { init: 0 });
  const total = Reg(SInt(70), { init: 0 });
  const history = Reg(UInt(100), { init: 0 });
  const unnamed = [Reg(UInt(2), { init: 0 })];
  unnamed[0]!.assign(unnamed[0]!.addWrap(1));
  when(en, () => {
    ticks.assign(ticks.addWrap(1));
    acc.assign(acc.addWrap(step));
    total.assign(total.addWrap(step.sext(70)));
    history.assign(cat(history.bits(91, 0), step.asUInt()));
  });
  odd.assign(ticks.bit(0).xor(unnamed[0]!.bit(1)));
  return { en, step, odd };
});

const Mid = defineModule("Mid", () => {
  const en = Input(Bool());
  const step = Input(SInt(8));
  const odd = Output(Bool());
  const leaf = Leaf.instance();
  leaf.en.assign(en);
  leaf.step.assign(step);
  odd.assign(leaf.odd);
  return { en, step, odd };
});

export const ProbeTop = defineModule("ProbeTop", () => {
  const enq = Input(Decoupled(UInt(8)));
  const deq = Output(Decoupled(UInt(8)));
  const count = Output(UInt(4));
  const en = Input(Bool());
  const step = Input(SInt(8));
  const odd = Output(Bool());
  const q = Fifo.instance({ width: 8, depth: DEPTH });
  q.enq.valid.assign(enq.valid);
  q.enq.bits.assign(enq.bits);
  enq.ready.assign(q.enq.ready);
  deq.valid.assign(q.deq.valid);
  deq.bits.assign(q.deq.bits);
  q.deq.ready.assign(deq.ready);
  count.assign(q.count);
  const mid = Mid.instance();
  mid.en.assign(en);
  mid.step.assign(step);
  const flipped = mid.odd.not();
  // a named wire, read by nothing but a probe
  const pushing = WireDefault(enq.valid.and(enq.ready));
  odd.assign(flipped.not().or(pushing.and(0)));
  return { enq, deq, count, en, step, odd };
});

/**
 * Every kind of probe: a wire of the top, registers of a child and a grandchild (signed, and wider
 * than 64 bits), a child's output seen in the parent and in the child, a grandchild's input, a memory word.
 */
export const PROBES = [
  "pushing",
  "q.stored",
  "q.writePtr",
  "q.readPtr",
  "q.outValid",
  "q_count",
  "q.count",
  "q.storage[2]",
  "mid.leaf.en",
  "mid.leaf.ticks",
  "mid.leaf.acc",
  "mid.leaf.total",
  "mid.leaf.history",
] as const;

/** One cycle of stimulus (a type literal, so that it is a `Stimulus`). */
export type Cycle = {
  readonly enq_valid: number;
  readonly enq_bits: number;
  readonly deq_ready: number;
  readonly en: number;
  readonly step: number;
};

/**
 * The reference: enqueues E and dequeues D seen so far (a transfer is valid && ready before an
 * edge), the words written at each memory address, the enabled cycles and the wrapped sum.
 */
export class ProbeModel {
  enqueued = 0;
  dequeued = 0;
  readonly words = new Map<number, number>();
  ticks = 0;
  acc = 0;
  total = 0n;
  history = 0n;

  /**
   * What the probes must read in a cycle, given the output register's valid seen on the port:
   * the write pointer counts enqueues; the memory holds every word not yet dequeued but the one
   * in the output register; the read pointer counts the words taken out of the memory.
   */
  expected(deqValid: number, inputs: Cycle): Record<string, number | bigint | undefined> {
    const held = this.enqueued - this.dequeued;
    // the FIFO takes a word while it holds fewer than its memory's depth plus the output register
    const enqReady = held - deqValid < DEPTH ? 1 : 0;
    return {
      pushing: inputs.enq_valid & enqReady,
      "q.stored": held - deqValid,
      "q.writePtr": this.enqueued % DEPTH,
      "q.readPtr": (this.dequeued + deqValid) % DEPTH,
      "q.outValid": deqValid,
      q_count: held,
      "q.count": held,
      "q.storage[2]": this.words.get(2),
      "mid.leaf.en": inputs.en,
      "mid.leaf.ticks": this.ticks,
      "mid.leaf.acc": this.acc,
      "mid.leaf.total": this.total,
      "mid.leaf.history": this.history,
    };
  }

  /** One edge with the inputs `c` and the ready/valid the design showed before it. */
  edge(c: Cycle, enqReady: number, deqValid: number): void {
    if (c.enq_valid && enqReady) {
      this.words.set(this.enqueued % DEPTH, c.enq_bits);
      this.enqueued++;
    }
    if (deqValid && c.deq_ready) this.dequeued++;
    if (c.en) {
      this.ticks = (this.ticks + 1) % 256;
      this.acc = Number(BigInt.asIntN(8, BigInt(this.acc + c.step)));
      this.total = BigInt.asIntN(70, this.total + BigInt(c.step));
      this.history = BigInt.asUintN(100, (this.history << 8n) | BigInt(c.step & 0xff));
    }
  }
}
