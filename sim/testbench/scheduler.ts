/**
 * One clock shared by concurrent testbench processes. A process that calls `step(n)` waits for
 * the n-th next edge; the clock advances only when every live process is waiting (on the clock,
 * or joined on other processes), so each process sees the same edges, and pokes made by all of
 * them in one cycle are applied together. Just before each edge, registered samplers run (all
 * processes are then parked, so they see every poke of the cycle): monitors and the handshake
 * checks of the stream drivers use them.
 */
import { TestbenchCycleLimitError } from "./errors.js";

/** What the scheduler drives: the simulator's clock (`Simulation.step`). */
export interface EdgeSource {
  step(n: number): Promise<void>;
  readonly cycle: number;
}

interface Waiter {
  readonly target: number;
  readonly what: string;
  readonly sample: (() => Promise<unknown>) | undefined;
  sampled?: unknown;
  readonly resolve: (sampled: unknown) => void;
  readonly reject: (e: unknown) => void;
}

/** A forked process: `join` waits for it (and rethrows its error). */
export interface Process {
  readonly name: string;
  readonly done: Promise<void>;
}

export class Scheduler {
  private live = 0;
  private blocked = 0;
  private readonly waiters: Waiter[] = [];
  private readonly samplers: (() => Promise<void>)[] = [];
  private advancing = false;
  private failure: unknown;
  private finished = false;

  constructor(
    private readonly source: EdgeSource,
    private readonly maxCycles: number,
  ) {}

  get cycle(): number {
    return this.source.cycle;
  }

  /** The first error of any process, the simulator or the clock limit. */
  get error(): unknown {
    return this.failure;
  }

  /** Starts `body` as a process; its error fails the whole testbench. */
  spawn(name: string, body: () => Promise<void>): Process {
    this.live++;
    const done = (async () => {
      try {
        await body();
      } finally {
        this.live--;
        this.kick();
      }
    })();
    done.catch((e: unknown) => this.fail(e));
    return { name, done };
  }

  /** Waits for `n` edges; with `sample`, returns what it gave just before the last of them. */
  step<T = undefined>(n: number, what: string, sample?: () => Promise<T>): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.finished) return Promise.reject(new Error("the testbench has finished: a process outlived run()"));
    return new Promise<T>((resolve, reject) => {
      this.waiters.push({ target: this.cycle + n, what, sample, resolve: resolve as (v: unknown) => void, reject });
      this.kick();
    });
  }

  /** Runs `sample` before every edge from now on, while all processes are parked. */
  everyEdge(sample: () => Promise<void>): void {
    this.samplers.push(sample);
  }

  /** Waits for processes; the caller counts as parked meanwhile. */
  async join(processes: readonly Process[]): Promise<void> {
    this.blocked++;
    this.kick();
    try {
      await Promise.all(processes.map((p) => p.done));
    } finally {
      this.blocked--;
    }
  }

  finish(): void {
    this.finished = true;
    for (const w of this.waiters.splice(0)) w.reject(new Error("the testbench has finished"));
  }

  private fail(e: unknown): void {
    // after run() ends, abandoned processes are rejected: that is not a failure of the run
    if (this.finished) return;
    if (this.failure === undefined) this.failure = e;
    for (const w of this.waiters.splice(0)) w.reject(this.failure);
  }

  private allParked(): boolean {
    return this.waiters.length > 0 && this.waiters.length + this.blocked >= this.live;
  }

  private kick(): void {
    if (this.advancing || this.failure !== undefined || !this.allParked()) return;
    this.advancing = true;
    this.advance()
      .catch((e: unknown) => this.fail(e))
      .finally(() => {
        this.advancing = false;
        this.kick();
      });
  }

  private async advance(): Promise<void> {
    while (this.allParked() && this.failure === undefined && !this.finished) {
      const next = Math.min(...this.waiters.map((w) => w.target));
      const perEdge = this.samplers.length > 0 || this.waiters.some((w) => w.sample !== undefined);
      const n = perEdge ? 1 : next - this.cycle;
      if (this.cycle + n > this.maxCycles) throw new TestbenchCycleLimitError(this.maxCycles, this.waiters.map((w) => w.what));
      for (const s of this.samplers) await s();
      for (const w of this.waiters) if (w.sample && w.target === this.cycle + n) w.sampled = await w.sample();
      await this.source.step(n);
      const due = this.waiters.filter((w) => w.target <= this.cycle);
      for (const w of due) this.waiters.splice(this.waiters.indexOf(w), 1);
      for (const w of due) w.resolve(w.sampled);
    }
  }
}
