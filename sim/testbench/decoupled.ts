/**
 * Ready/valid stream helpers on the shared clock: a driver for an input stream (`enqueue`), a
 * sink for an output stream (`dequeue`, `expectDequeue`) and a passive monitor recording every
 * transfer. A transfer is `valid && ready` as sampled just before an edge (after every process's
 * pokes of that cycle). Random back-pressure: a driver may hold `valid` low, a sink `ready` low,
 * on a random share of cycles drawn from the caller's seeded `random()`.
 */
import { SimUsageError } from "../errors.js";
import type { SimValue } from "../ports.js";
import { TestbenchExpectError, TestbenchTimeoutError } from "./errors.js";
import { PortHandle } from "./handles.js";
import type { Testbench } from "./testbench.js";

/**
 * What the helpers need of a stream's handle: `valid`, `ready` and `bits` (a port or a group of
 * ports). B: what `bits` peeks as; P: what it may be poked with (a group's partial values).
 */
export interface StreamHandle<B, P = never> {
  readonly valid: PortHandle;
  readonly ready: PortHandle;
  readonly bits: { poke(value: P): void; peek(): Promise<B> };
}

export interface StreamOptions {
  /** Cycles one handshake may wait (default: until the testbench's cycle limit). */
  readonly timeoutCycles?: number;
  /** Share of cycles (0..1) on which the driver holds valid low / the sink holds ready low before each word. */
  readonly stallProbability?: number;
  /** Uniform numbers in [0, 1): the caller's seeded generator (required with stallProbability). */
  readonly random?: () => number;
}

/** A transfer seen on a stream: the cycle whose values moved the word, and the word. */
export interface Transfer<B> {
  readonly cycle: number;
  readonly bits: B;
}

function stallOf(opts: StreamOptions, what: string): () => boolean {
  const p = opts.stallProbability ?? 0;
  if (!(p >= 0 && p < 1)) throw new SimUsageError(`${what}: stallProbability must be in [0, 1), got ${p}`);
  if (p > 0 && opts.random === undefined) throw new SimUsageError(`${what}: stallProbability needs a seeded random() in the options`);
  return p === 0 ? () => false : () => opts.random!() < p;
}

function label(s: StreamHandle<unknown, never>): string {
  return s.valid.path.replace(/\.valid$/, "");
}

/** Drives an input stream of the design: `valid` and `bits` in, `ready` out. */
export class DecoupledDriver<B, P = never> {
  private readonly stall: () => boolean;

  constructor(
    private readonly tb: Testbench<unknown>,
    private readonly stream: StreamHandle<B, P>,
    private readonly opts: StreamOptions = {},
  ) {
    this.stall = stallOf(opts, `DecoupledDriver(${label(stream)})`);
    stream.valid.poke(0);
  }

  /** Offers `bits` until the design takes it (valid && ready at an edge); returns after that edge. */
  async enqueue(bits: P | SimValue): Promise<void> {
    const s = this.stream;
    while (this.stall()) await this.tb.clock.step();
    s.bits.poke(bits as never);
    s.valid.poke(1);
    const what = `enqueue on ${label(s)}`;
    const start = this.tb.cycle;
    while (!(await this.tb.clock.stepSampling(async () => (await s.ready.peek()) === 1, what))) {
      if (this.opts.timeoutCycles !== undefined && this.tb.cycle - start >= this.opts.timeoutCycles) throw new TestbenchTimeoutError(what, this.opts.timeoutCycles, this.tb.cycle);
    }
    s.valid.poke(0);
  }

  async enqueueAll(words: readonly (P | SimValue)[]): Promise<void> {
    for (const w of words) await this.enqueue(w);
  }
}

/** Takes words from an output stream of the design: `ready` in, `valid` and `bits` out. */
export class DecoupledSink<B, P = never> {
  private readonly stall: () => boolean;
  private taken = 0;

  constructor(
    private readonly tb: Testbench<unknown>,
    private readonly stream: StreamHandle<B, P>,
    private readonly opts: StreamOptions = {},
  ) {
    this.stall = stallOf(opts, `DecoupledSink(${label(stream)})`);
    stream.ready.poke(0);
  }

  /** Waits for the next word (raising ready, except on stalled cycles) and returns it with its cycle. */
  async take(): Promise<Transfer<B>> {
    const s = this.stream;
    const what = `dequeue on ${label(s)}`;
    const start = this.tb.cycle;
    for (;;) {
      const ready = !this.stall();
      s.ready.poke(ready ? 1 : 0);
      const cycle = this.tb.cycle;
      const got = await this.tb.clock.stepSampling(async () => (ready && (await s.valid.peek()) === 1 ? { bits: await s.bits.peek() } : undefined), what);
      if (got) {
        s.ready.poke(0);
        this.taken++;
        return { cycle, bits: got.bits };
      }
      if (this.opts.timeoutCycles !== undefined && this.tb.cycle - start >= this.opts.timeoutCycles) throw new TestbenchTimeoutError(what, this.opts.timeoutCycles, this.tb.cycle);
    }
  }

  async dequeue(): Promise<B> {
    return (await this.take()).bits;
  }

  /** Dequeues one word and fails with TestbenchExpectError (port, expected, actual, cycle) unless it equals `expected`. */
  async expectDequeue(expected: B): Promise<void> {
    const { cycle, bits } = await this.take();
    if (!sameValue(bits, expected)) {
      const port = this.stream.bits instanceof PortHandle ? this.stream.bits.label : `${label(this.stream)}.bits`;
      const note = `word ${this.taken} dequeued`;
      if (typeof bits === "object") throw new TestbenchExpectError(port, show(expected), show(bits), cycle, note);
      throw new TestbenchExpectError(port, BigInt(expected as SimValue), BigInt(bits as SimValue), cycle, note);
    }
  }

  async expectDequeueAll(words: readonly B[]): Promise<void> {
    for (const w of words) await this.expectDequeue(w);
  }
}

/** Records every transfer on a stream without driving it (none while reset is held by `tb.reset`, or while valid is X). */
export class DecoupledMonitor<B> {
  readonly transfers: Transfer<B>[] = [];

  constructor(tb: Testbench<unknown>, stream: StreamHandle<B, unknown>) {
    tb.clock.beforeEachEdge(async () => {
      if (tb.inReset) return;
      if ((await stream.valid.tryPeek()) === 1 && (await stream.ready.tryPeek()) === 1) this.transfers.push({ cycle: tb.cycle, bits: await stream.bits.peek() });
    });
  }
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "object" || typeof b === "object") return show(a) === show(b);
  return BigInt(a as SimValue) === BigInt(b as SimValue);
}
