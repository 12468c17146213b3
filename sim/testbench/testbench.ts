/**
 * The testbench: typed port handles (`tb.io`), one clock shared by concurrent processes
 * (`fork` / `join`, `tb.clock.step()`), `waitUntil` with a time limit, `expect` that names the
 * port and the cycle, and a cycle limit that ends a hung testbench. Runs on the existing
 * backends through `simulate()`; `Simulation` stays available as `tb.sim`.
 *
 *   const tb = await testbench(elaborate(Fifo, { width: 8, depth: 4 }));
 *   await tb.run(async () => { await tb.reset(); tb.io.enq.valid.poke(1); await tb.clock.step(); });
 */
import type { PortInfo } from "../../hdl/core/design.js";
import type { Elaboration } from "../../hdl/core/elaborate.js";
import { SimUsageError } from "../errors.js";
import type { SimOptions } from "../options.js";
import { simulate } from "../simulate.js";
import type { Simulation } from "../simulation.js";
import { TestbenchTimeoutError } from "./errors.js";
import { handlesFor, type Handle } from "./handles.js";
import { probeHandles, type ProbeHandle } from "./probes.js";
import { Scheduler, type Process } from "./scheduler.js";

/** Cycles a testbench may run unless `maxCycles` says otherwise. */
export const DEFAULT_MAX_CYCLES = 100_000;

export interface TestbenchOptions<P extends string = string> extends Omit<SimOptions, "maxCycles" | "probes"> {
  /** Clock edges the whole run may take (default 100,000); past it the run fails with TestbenchCycleLimitError. */
  readonly maxCycles?: number;
  /** Internal signals to watch by hierarchical path (`SimOptions.probes`); their handles are `tb.probes[path]`. */
  readonly probes?: readonly P[];
}

export interface WaitOptions {
  /** Edges to wait at most (default: until the testbench's cycle limit). */
  readonly timeoutCycles?: number;
  /** What is awaited, for the timeout message (default "waitUntil condition"). */
  readonly what?: string;
}

/** The shared clock: every process that steps it waits for the same edges. */
export class Clock {
  constructor(private readonly scheduler: Scheduler) {}

  /** Edges so far (reset cycles included), as `Simulation.cycle`. */
  get cycle(): number {
    return this.scheduler.cycle;
  }

  /** Waits for the `n`-th next rising edge (together with every other process). */
  step(n = 1): Promise<void> {
    if (!Number.isSafeInteger(n) || n < 0) throw new SimUsageError(`clock.step(${n}): expected a non-negative integer`);
    if (n === 0) return Promise.resolve();
    return this.scheduler.step(n, `clock.step(${n})`);
  }

  /**
   * One edge; `sample` runs just before it, once every process has made its pokes for the cycle,
   * and its result is returned: how a handshake is seen exactly as the edge sees it.
   */
  stepSampling<T>(sample: () => Promise<T>, what = "clock.stepSampling()"): Promise<T> {
    return this.scheduler.step(1, what, sample);
  }

  /** Runs `sample` before every edge from now on (after all pokes of the cycle): monitors. */
  beforeEachEdge(sample: () => Promise<void>): void {
    this.scheduler.everyEdge(sample);
  }
}

export class Testbench<IO, P extends string = never> {
  /** Handles on the top module's ports, typed after them. */
  readonly io: Handle<IO>;
  /** Read-only handles on the probes, by the paths given in `TestbenchOptions.probes`. */
  readonly probes: Readonly<Record<P, ProbeHandle>>;
  readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private ran = false;
  private resetHeld = false;

  /** @internal use `testbench()`. */
  constructor(
    readonly sim: Simulation,
    readonly design: Elaboration<IO>,
    maxCycles: number,
  ) {
    this.scheduler = new Scheduler(sim, maxCycles);
    this.clock = new Clock(this.scheduler);
    const ports = new Map<string, PortInfo>(sim.design.ports.map((p) => [p.name, p]));
    const ctx = { sim, get cycle() { return sim.cycle; } };
    this.io = handlesFor(design.io, ctx, ports);
    this.probes = probeHandles<P>(ctx, sim.probes);
  }

  /** True while `reset()` holds the reset input high. */
  get inReset(): boolean {
    return this.resetHeld;
  }

  /** Edges so far. */
  get cycle(): number {
    return this.sim.cycle;
  }

  /**
   * Runs `main` as the first process and closes the simulation when it ends. Rejects with the
   * first error of any process, of the simulator (a failed assertion) or of the cycle limit.
   * Processes still running when `main` returns are abandoned.
   */
  async run(main: () => Promise<void>): Promise<void> {
    if (this.ran) throw new SimUsageError("a testbench runs once: create another with testbench()");
    this.ran = true;
    try {
      await this.scheduler.spawn("main", main).done;
    } catch (e) {
      throw this.scheduler.error ?? e;
    } finally {
      this.scheduler.finish();
      await this.sim.close();
    }
    if (this.scheduler.error !== undefined) throw this.scheduler.error;
  }

  /** Starts `body` as a concurrent process on the shared clock. */
  fork(body: () => Promise<void>, name = "process"): Process {
    return this.scheduler.spawn(name, body);
  }

  /** Waits for the processes to end (rethrowing the first error); the caller is parked meanwhile. */
  join(...processes: Process[]): Promise<void> {
    return this.scheduler.join(processes);
  }

  /** Holds reset high for `cycles` edges, then releases it. */
  async reset(cycles = 1): Promise<void> {
    const r = this.sim.design.reset;
    if (r === undefined) throw new SimUsageError(`${this.sim.design.top} has no reset input`);
    this.sim.poke(r, 1);
    this.resetHeld = true;
    await this.clock.step(cycles);
    this.resetHeld = false;
    this.sim.poke(r, 0);
  }

  /**
   * Steps the clock until `condition` holds (checked now, then after each edge); fails with
   * TestbenchTimeoutError after `timeoutCycles` edges.
   */
  async waitUntil(condition: () => boolean | Promise<boolean>, opts: WaitOptions = {}): Promise<void> {
    const what = opts.what ?? "waitUntil condition";
    const start = this.cycle;
    for (;;) {
      if (await condition()) return;
      if (opts.timeoutCycles !== undefined && this.cycle - start >= opts.timeoutCycles) throw new TestbenchTimeoutError(what, opts.timeoutCycles, this.cycle);
      await this.scheduler.step(1, what);
    }
  }
}

/** Compiles (cached) and starts a simulation of `design` with typed handles on its ports and probes. */
export async function testbench<IO, P extends string = never>(design: Elaboration<IO>, opts: TestbenchOptions<P> = {}): Promise<Testbench<IO, P>> {
  const maxCycles = opts.maxCycles ?? DEFAULT_MAX_CYCLES;
  if (!Number.isSafeInteger(maxCycles) || maxCycles < 1) throw new SimUsageError(`maxCycles must be a positive integer, got ${maxCycles}`);
  const sim = await simulate(design, { ...opts, maxCycles });
  return new Testbench<IO, P>(sim, design, maxCycles);
}
