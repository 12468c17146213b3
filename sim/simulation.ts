/**
 * The testbench API: a running co-simulation with poke / peek / step / reset / batch. Inputs
 * poked are buffered and sent with the next peek or step; every method that waits for the
 * simulator is async.
 *
 * Timing model, per clock cycle: inputs poked before `step()` are applied and settle, then one
 * rising clock edge; a peek after `step()` sees the registers' new values and the
 * combinational outputs computed from them.
 */
import { resolve } from "node:path";
import type { ElaboratedDesign, PortInfo } from "../hdl/core/design.js";
import { streamBatch } from "./batch.js";
import { CheckEvents, type CoverHit } from "./checks.js";
import { SimCycleLimitError, SimUsageError, SimXError, type UninitialisedRead } from "./errors.js";
import type { Launch } from "./launch.js";
import { xAllowed, type Backend, type BatchOptions, type Sample, type SimOptions, type Stimulus } from "./options.js";
import { MAX_NUMBER_WIDTH, decodeBig, decodeValue, encodeValue, hasXZ, type PortTable, type SimValue, type ValueShape } from "./ports.js";
import type { ProbeInfo } from "./probes.js";
import { isChannel, type Channel } from "./channel.js";
import { Transport } from "./transport.js";

export class Simulation {
  /** Clock cycles stepped so far (including reset and batch cycles). */
  cycle = 0;
  readonly backend: Backend;
  readonly design: ElaboratedDesign;

  private readonly table: PortTable;
  private readonly t: Channel;
  private readonly maxCycles: number;
  private readonly inputHex: string[];
  /** The design's assertion failures and cover hits (the JS backend reports into it too). */
  protected readonly checks: CheckEvents;
  private pokes = "";

  /** @internal use `simulate()`. `launch` starts a simulator process; a `Channel` is an in-process backend's. */
  constructor(design: ElaboratedDesign, table: PortTable, launch: Launch | Channel, backend: Backend, opts: SimOptions) {
    this.design = design;
    this.table = table;
    this.backend = backend;
    this.maxCycles = opts.maxCycles ?? Number.POSITIVE_INFINITY;
    this.inputHex = table.inputs.map(() => "0");
    this.checks = new CheckEvents(design);
    if (isChannel(launch)) {
      this.t = launch;
      return;
    }
    const args: string[] = [];
    if (opts.vcd !== undefined) args.push(launch.vcdArg(resolve(opts.vcd)));
    for (const [name, value] of Object.entries(opts.plusargs ?? {})) args.push(`+${name}=${value}`);
    const hint = backend === "verilator" ? "apt-get install verilator" : "apt-get install iverilog";
    this.t = new Transport(launch, args, opts.timeoutMs ?? 60_000, hint, (line) => this.checks.onLine(line));
  }

  /** Wait for the simulator's ready line. @internal */
  async ready(): Promise<void> {
    await this.t.request("", 1, "the simulator to start");
  }

  /** Port info by name (any port). */
  port(name: string): PortInfo {
    const i = this.table.portIndex.get(name);
    if (i === undefined) {
      const probes = this.table.probes.length > 0 ? `; probes: ${this.table.probes.map((p) => p.name).join(", ")}` : "";
      throw new SimUsageError(`no port "${name}" on ${this.design.top}; ports: ${this.table.ports.map((p) => p.name).join(", ")}${probes}`);
    }
    return this.table.ports[i]!;
  }

  /** The internal signals watched (`SimOptions.probes`), in the order given. */
  get probes(): readonly ProbeInfo[] {
    return this.table.probes;
  }

  /** A port or probe by name, with its index in the line protocol. */
  private readable(name: string): Readable {
    const k = this.table.probeIndex.get(name);
    if (k !== undefined) return { name, shape: this.table.probes[k]!, index: this.table.ports.length + k, what: "probe" };
    const p = this.port(name);
    return { name, shape: p, index: this.table.portIndex.get(p.name)!, what: "port" };
  }

  /** Set an input (buffered until the next peek/step). Numbers must be safe integers; signed ports take negatives. */
  poke(name: string, value: SimValue): void {
    this.t.checkOpen();
    const i = this.table.inputIndex.get(name);
    if (i === undefined) {
      if (this.table.probeIndex.has(name)) throw new SimUsageError(`cannot poke probe "${name}": probes are read-only`);
      const p = this.port(name);
      if (p.name === this.table.clock) throw new SimUsageError(`cannot poke the clock "${name}": use step()`);
      throw new SimUsageError(`cannot poke output "${name}" of ${this.design.top}`);
    }
    const hex = encodeValue(this.table.inputs[i]!, value);
    this.inputHex[i] = hex;
    this.pokes += `P ${i} ${hex}\n`;
  }

  /** Read a port or probe as a number (up to 53 bits; use peekBig for wider ones). Signed ones read negative. */
  async peek(name: string): Promise<number> {
    const r = this.readable(name);
    if (r.shape.width > MAX_NUMBER_WIDTH) {
      throw new SimUsageError(`${r.what} "${name}" is ${r.shape.width} bits wide: use peekBig() (peek() returns a number, exact up to 53 bits)`);
    }
    return Number(await this.peekBig(name));
  }

  /** Read a port or probe of any width as a bigint. Signed ones read negative. */
  async peekBig(name: string): Promise<bigint> {
    const r = this.readable(name);
    return decodeBig(r.shape, await this.peekHex(r));
  }

  /** Read a port or probe as a number when width <= 53, else as a bigint. */
  async peekValue(name: string): Promise<SimValue> {
    const r = this.readable(name);
    return decodeValue(r.shape, await this.peekHex(r));
  }

  /** Read a port or probe like peekValue(), but return undefined instead of raising when it is X/Z. */
  async tryPeek(name: string): Promise<SimValue | undefined> {
    const r = this.readable(name);
    this.t.checkOpen();
    const lines = await this.send(`G ${r.index}\n`, 1, `tryPeek("${name}")`);
    const h = lines[0]!.slice(3).trim();
    return hasXZ(h) ? undefined : decodeValue(r.shape, h);
  }

  /**
   * Read every output and probe (number when width <= 53, else bigint), in one round trip.
   * Those listed in `opts.allowX` (or all, with `true`) are left out when X/Z instead of raising.
   */
  async peekAll(opts: { allowX?: boolean | readonly string[] } = {}): Promise<Sample> {
    this.t.checkOpen();
    const all: Readable[] = [...this.table.outputs.map((p) => this.readable(p.name)), ...this.table.probes.map((p) => this.readable(p.name))];
    const cmds = all.map((x) => `G ${x.index}\n`).join("");
    const lines = await this.send(cmds, all.length, "peekAll()");
    const r: Sample = {};
    all.forEach((x, k) => {
      const h = lines[k]!.slice(3).trim();
      if (hasXZ(h) && xAllowed(opts.allowX, x.name)) return;
      r[x.name] = decodeValue(x.shape, this.valueOf(lines[k]!, x));
    });
    return r;
  }

  /**
   * Advance n rising clock edges (n >= 0) of the implicit clock, or of `opts.clock`: an input that
   * clocks a clock domain (ElaboratedDesign.domainClocks), raised and lowered n times with the
   * design settling in between. Only the implicit clock's edges count towards `maxCycles`.
   */
  async step(n = 1, opts: { clock?: string } = {}): Promise<void> {
    this.t.checkOpen();
    if (!Number.isSafeInteger(n) || n < 0) throw new SimUsageError(`step(${n}): expected a non-negative integer`);
    const clock = opts.clock;
    if (clock !== undefined && clock !== this.table.clock) {
      const i = this.table.inputIndex.get(clock);
      if (i === undefined || !(this.design.domainClocks ?? []).includes(clock)) {
        throw new SimUsageError(`step(${n}, { clock: "${clock}" }): ${this.design.top} has no clock input "${clock}" (clocks: ${[this.table.clock, ...(this.design.domainClocks ?? [])].filter(Boolean).join(", ") || "none"})`);
      }
      if (n === 0) return;
      this.inputHex[i] = "0";
      await this.send(`P ${i} 1\nS 0\nP ${i} 0\nS 0\n`.repeat(n), 2 * n, `step(${n}, { clock: "${clock}" })`);
      return;
    }
    this.checkCycles(n);
    this.cycle += n;
    await this.send(`S ${n}\n`, 1, `step(${n})`);
  }

  /**
   * Runs clocks of the given periods (in any time unit) for `duration`: rising edges at times
   * period, 2 x period, ...; before each edge `onEdge(clock, time)` may poke inputs and peek
   * outputs; edges at the same time come in the order of `periods`. Clocks are the implicit
   * clock's name or domain clocks. Returns the number of edges.
   */
  async runClocks(periods: Readonly<Record<string, number>>, duration: number, onEdge?: (clock: string, time: number) => void | Promise<void>): Promise<number> {
    const edges = clockEdges(periods, duration);
    for (const e of edges) {
      await onEdge?.(e.clock, e.time);
      await this.step(1, { clock: e.clock });
    }
    return edges.length;
  }

  /** Hold the reset input high for `cycles` clock cycles, then release it (no cycle after release). */
  async reset(cycles = 1): Promise<void> {
    const r = this.design.reset;
    if (r === undefined) throw new SimUsageError(`${this.design.top} has no reset input`);
    this.poke(r, 1);
    await this.step(cycles);
    this.poke(r, 0);
  }

  /**
   * Run many cycles in one go: for each element, apply its inputs (others keep their
   * value), let them settle, sample every output, then one clock edge. Returns the
   * samples, one per cycle (minus `opts.skip`). Far faster than poke/peek/step per cycle.
   */
  async batch(stimulus: readonly Stimulus[], opts: BatchOptions = {}): Promise<Sample[]> {
    this.t.checkOpen();
    const resetCycles = opts.resetCycles ?? 0;
    if (resetCycles > 0) await this.reset(resetCycles);
    if (stimulus.length === 0) return [];
    this.checkCycles(stimulus.length);
    const start = this.cycle;
    this.cycle += stimulus.length;
    this.flushPokes();
    return streamBatch(this.t, this.table, this.inputHex, stimulus, start, opts);
  }

  /**
   * With `checkUninitialised: "report"` (JS backend): each reader of a never-written register or
   * memory word, once, at its first read. Empty on the other backends.
   */
  uninitialisedReads(): readonly UninitialisedRead[] {
    return [];
  }

  /** The design's `cover` statements reached so far, each once, in the order they were first reached. */
  covers(): readonly CoverHit[] {
    return this.checks.covers;
  }

  /** Lines the design printed (`printf`, `$display`) so far (the last 1000). */
  output(): readonly string[] {
    return this.t.log;
  }

  /** End the simulation (flushes the VCD). Safe to call twice. */
  async close(): Promise<void> {
    if (this.t.open) this.flushPokes();
    await this.t.close("Q\n");
  }

  // ---- internals ----

  private checkCycles(n: number): void {
    if (this.cycle + n > this.maxCycles) {
      const e = new SimCycleLimitError(this.maxCycles, this.cycle + n);
      this.t.kill(e);
      throw e;
    }
  }

  private send(cmd: string, expect: number, what: string): Promise<string[]> {
    this.flushPokes();
    return this.t.request(cmd, expect, what);
  }

  private async peekHex(r: Readable): Promise<string> {
    this.t.checkOpen();
    const lines = await this.send(`G ${r.index}\n`, 1, `peek("${r.name}")`);
    return this.valueOf(lines[0]!, r);
  }

  private valueOf(line: string, r: Readable): string {
    const h = line.slice(3).trim();
    if (hasXZ(h)) throw new SimXError(r.name, h, this.cycle, r.what);
    return h;
  }

  private flushPokes(): void {
    if (this.pokes) {
      this.t.write(this.pokes);
      this.pokes = "";
    }
  }
}

/** A port or probe as peeks see it. */
interface Readable {
  readonly name: string;
  readonly shape: ValueShape;
  /** Its index in the line protocol's `G` command. */
  readonly index: number;
  readonly what: "port" | "probe";
}

/** Rising edges of clocks with the given periods up to `duration`, in time order (ties: the order of `periods`). */
export function clockEdges(periods: Readonly<Record<string, number>>, duration: number): { clock: string; time: number }[] {
  const names = Object.keys(periods);
  for (const name of names) {
    const p = periods[name]!;
    if (!(p > 0) || !Number.isFinite(p)) throw new SimUsageError(`clock ${name}: the period must be a positive number, got ${p}`);
  }
  const edges: { clock: string; time: number; order: number }[] = [];
  names.forEach((clock, order) => {
    for (let k = 1; k * periods[clock]! <= duration; k++) edges.push({ clock, time: k * periods[clock]!, order });
  });
  edges.sort((a, b) => a.time - b.time || a.order - b.order);
  return edges.map(({ clock, time }) => ({ clock, time }));
}
