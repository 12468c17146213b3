/**
 * The testbench API on the JS backend: the same `Simulation`, with poke, peek, step and batch
 * going straight to the in-process model instead of a pipe. Usage errors are the other
 * backends' (the checks that raise them are shared with the base class).
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ElaboratedDesign, PortInfo } from "../../hdl/core/design.js";
import type { Channel } from "../channel.js";
import { SimCycleLimitError, SimError, SimUsageError, type UninitialisedRead } from "../errors.js";
import { xAllowed, type BatchOptions, type Sample, type SimOptions, type Stimulus } from "../options.js";
import { MAX_NUMBER_WIDTH, encodeValue, type PortTable, type SimValue, type ValueShape } from "../ports.js";
import type { ProbeInfo } from "../probes.js";
import { formatPrintf } from "../checks.js";
import { Simulation } from "../simulation.js";
import { JsModel, type CompiledDesign } from "./model.js";
import { UninitChecker } from "./uninit-check.js";
import { isWide } from "./repr.js";
import { VcdWriter } from "./vcd.js";

/** The session's life cycle for the base class; the JS backend never uses the line protocol. */
class JsChannel implements Channel {
  failure: SimError | undefined;
  private closed = false;
  readonly log: string[] = [];

  get open(): boolean {
    return !this.failure && !this.closed;
  }

  checkOpen(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new SimUsageError("the simulation is closed");
  }

  write(): void {
    /* pokes are applied directly */
  }

  async writeChunk(): Promise<void> {
    /* batches are run directly */
  }

  request(): Promise<string[]> {
    return Promise.reject(new SimUsageError('backend "js" does not speak the simulator line protocol'));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  kill(e: SimError = new SimUsageError("the simulation was stopped")): void {
    if (!this.failure) this.failure = e;
  }
}

interface InputSlot {
  readonly port: PortInfo;
  /** Index into the model's setters (all top inputs, in port order). */
  readonly setter: number;
}

export class JsSimulation extends Simulation {
  private readonly model: JsModel;
  private readonly ch: JsChannel;
  private readonly tbl: PortTable;
  private readonly slots = new Map<string, InputSlot>();
  /** The inputs a testbench may poke (all but the implicit clock). */
  private readonly pokeable = new Map<string, InputSlot>();
  /** How to read each port and probe (raw bits), by name; a port's position among the ports. */
  private readonly signalOf = new Map<string, { port: ValueShape; read: () => number | bigint; pos?: number }>();
  /** With `checkUninitialised`: the reports, and the outputs' positions among the ports. */
  private readonly uninit: UninitChecker | undefined;
  private readonly outputPos: { name: string; pos: number }[] = [];
  private readonly probeReads: { name: string; port: ValueShape; read: () => number | bigint }[] = [];
  private readonly limit: number;
  private readonly vcd: VcdWriter | undefined;
  private time = 0;
  /** Clock net of each clock input, by name. */
  private readonly clockIndex = new Map<string, number>();

  /** @internal use `simulate(design, { backend: "js" })`. */
  constructor(design: ElaboratedDesign, table: PortTable, compiled: CompiledDesign, opts: SimOptions) {
    const ch = new JsChannel();
    super(design, table, ch, "js", opts);
    this.ch = ch;
    this.tbl = table;
    this.limit = opts.maxCycles ?? Number.POSITIVE_INFINITY;
    this.model = new JsModel(compiled, opts.plusargs ?? {});
    this.model.verify.sink = (kind, index, cycle, instance, values, widths) => {
      if (kind === "P") {
        const info = design.verification?.[index];
        ch.log.push(formatPrintf(info?.message ?? "", values ?? [], widths ?? []));
        if (ch.log.length > 1000) ch.log.shift();
        return;
      }
      const err = this.checks.onLine(`@${kind} ${index} ${cycle} ${instance}`);
      if (err) {
        ch.kill(err);
        throw err; // out of the edge: the session ends here, as the other backends' do
      }
    };
    if (opts.checkUninitialised !== undefined) {
      const checker = (this.uninit = new UninitChecker(opts.checkUninitialised, compiled));
      this.model.uninit!.report = (sink, origin, cycle) => {
        try {
          checker.atEdge(sink, origin, cycle);
        } catch (e) {
          ch.kill(e as SimError);
          throw e; // out of the edge: the session ends here, as after a failed assertion
        }
      };
    }
    let setter = 0;
    design.ports.forEach((p, i) => {
      const id = compiled.portSignals[i]!;
      this.signalOf.set(p.name, { port: p, read: () => this.model.get(id), pos: i });
      if (p.direction === "output") this.outputPos.push({ name: p.name, pos: i });
      if (p.direction === "input") {
        const slot = { port: p, setter: setter++ };
        this.slots.set(p.name, slot);
        if (table.inputIndex.has(p.name)) this.pokeable.set(p.name, slot);
      }
    });
    design.ports.forEach((p, i) => {
      const k = compiled.clocks.findIndex((c) => c.id === compiled.portSignals[i]!);
      if (k >= 0) this.clockIndex.set(p.name, k);
    });
    for (const p of table.probes) {
      const probe = { name: p.name, port: p, read: this.probeReader(p) };
      this.signalOf.set(p.name, probe);
      this.probeReads.push(probe);
    }
    if (opts.vcd !== undefined) {
      const path = resolve(opts.vcd);
      mkdirSync(dirname(path), { recursive: true });
      this.vcd = new VcdWriter(path, compiled.vcd, (id) => this.model.get(id));
      this.vcd.dump(0);
    }
  }

  override async ready(): Promise<void> {
    this.model.settle();
  }

  override poke(name: string, value: SimValue): void {
    this.ch.checkOpen();
    const slot = this.pokeable.get(name);
    if (slot === undefined) {
      super.poke(name, value); // raises the usage error
      return;
    }
    this.model.set(slot.setter, rawBits(slot.port, value));
  }

  override async peek(name: string): Promise<number> {
    const { port, read } = this.checked(name);
    if (port.width > MAX_NUMBER_WIDTH) return super.peek(name);
    return Number(userValue(port, read()));
  }

  override async peekBig(name: string): Promise<bigint> {
    const { port, read } = this.checked(name);
    return BigInt(userValue(port, read()));
  }

  override async peekValue(name: string): Promise<SimValue> {
    const { port, read } = this.checked(name);
    return userValue(port, read());
  }

  override async tryPeek(name: string): Promise<SimValue | undefined> {
    const pos = this.signal(name).pos;
    if (this.uninit && pos !== undefined && this.model.unknown(pos) !== 0) return undefined;
    return this.peekValue(name);
  }

  override async peekAll(opts: { allowX?: boolean | readonly string[] } = {}): Promise<Sample> {
    this.ch.checkOpen();
    const sample = this.model.sample();
    if (this.uninit) this.checkOutputs(sample, this.cycle, opts.allowX);
    return this.withProbes(sample);
  }

  override uninitialisedReads(): readonly UninitialisedRead[] {
    return this.uninit?.reads ?? [];
  }

  override async step(n = 1, opts: { clock?: string } = {}): Promise<void> {
    this.ch.checkOpen();
    if (!Number.isSafeInteger(n) || n < 0) throw new SimUsageError(`step(${n}): expected a non-negative integer`);
    const clock = opts.clock;
    if (clock !== undefined && clock !== this.tbl.clock) {
      if (!this.tbl.inputIndex.has(clock) || !(this.design.domainClocks ?? []).includes(clock)) return super.step(n, opts);
      for (let i = 0; i < n; i++) this.edge(clock);
      return;
    }
    this.checkLimit(n);
    this.cycle += n;
    const c = this.tbl.clock;
    if (c === undefined) {
      this.time += 10 * n;
      return;
    }
    for (let i = 0; i < n; i++) this.edge(c);
  }

  override async batch(stimulus: readonly Stimulus[], opts: BatchOptions = {}): Promise<Sample[]> {
    this.ch.checkOpen();
    const resetCycles = opts.resetCycles ?? 0;
    if (resetCycles > 0) await this.reset(resetCycles);
    const n = stimulus.length;
    if (n === 0) return [];
    this.checkLimit(n);
    this.cycle += n;
    const skip = Math.max(0, Math.min(n, opts.skip ?? 0));
    const out = new Array<Sample>(n - skip);
    const m = this.model;
    const clock = this.tbl.clock;
    const k = clock === undefined ? -1 : (this.clockIndex.get(clock) ?? -1);
    // The common case, one edge function per cycle, without the general path's checks.
    const fast = k >= 0 && m.compiled.fastClock[k] === true && this.vcd === undefined;
    for (let c = 0; c < n; c++) {
      const s = stimulus[c]!;
      for (const name in s) {
        const slot = this.pokeable.get(name);
        if (slot === undefined) this.batchPoke(name, s[name]!, c);
        else {
          const v = s[name]!;
          const w = slot.port.width;
          if (typeof v === "number" && w <= 31 && v >= 0 && v < 2 ** w && Number.isInteger(v)) m.set(slot.setter, v);
          else this.batchPoke(name, v, c);
        }
      }
      const sample = m.sample();
      if (this.uninit && c >= skip) this.checkBatchSample(sample, this.cycle - n + c, opts.allowX);
      if (c >= skip) out[c - skip] = this.probeReads.length > 0 ? this.withProbes(sample) : sample;
      if (fast) {
        m.edge(k);
        this.time += 10;
      } else if (clock !== undefined) this.edge(clock);
      else this.time += 10;
    }
    return out;
  }

  override async close(): Promise<void> {
    if (this.ch.open) this.vcd?.close();
    if (this.ch.open) this.model.release();
    await this.ch.close();
  }

  // ---- internals ----

  /** The port or probe, after the `checkUninitialised` check of a port's value (probes are not checked). */
  private checked(name: string): { port: ValueShape; read: () => number | bigint; pos?: number } {
    const s = this.signal(name);
    if (this.uninit && s.pos !== undefined) {
      const origin = this.model.unknown(s.pos);
      if (origin !== 0) this.uninit.output(name, origin, this.cycle);
    }
    return s;
  }

  /** Unknown outputs: left out of the sample when allowed (as Icarus leaves X out), else reported. */
  private checkOutputs(sample: Sample, cycle: number, allowX: boolean | readonly string[] | undefined): void {
    for (const { name, pos } of this.outputPos) {
      const origin = this.model.unknown(pos);
      if (origin === 0) continue;
      if (xAllowed(allowX, name)) delete sample[name];
      else this.uninit!.output(name, origin, cycle);
    }
  }

  private checkBatchSample(sample: Sample, cycle: number, allowX: boolean | readonly string[] | undefined): void {
    try {
      this.checkOutputs(sample, cycle, allowX);
    } catch (e) {
      this.ch.kill(e as SimError);
      throw e;
    }
  }

  /** Reads a probe: its flat signal, or its memory word (settled first, like a port). */
  private probeReader(p: ProbeInfo): () => number | bigint {
    const c = this.model.compiled;
    const path = [...p.instances, p.signal].join(".");
    const missing = (): never => {
      throw new SimError(`backend "js": probe "${p.name}" is in the design's IR but not in its flattened netlist`);
    };
    if (p.word === undefined) {
      const id = c.vcd.find((v) => [...v.path.slice(1), v.name].join(".") === path)?.id ?? missing();
      return () => this.model.get(id);
    }
    const k = c.memories.findIndex((m) => [...m.scope.path, m.memory.name].join(".") === path);
    if (k < 0) missing();
    const word = p.word;
    return () => {
      this.model.settle();
      return this.model.memories[k]![word]!;
    };
  }

  /** A sample with every probe's value added. */
  private withProbes(sample: Sample): Sample {
    for (const p of this.probeReads) sample[p.name] = userValue(p.port, p.read());
    return sample;
  }

  private signal(name: string): { port: ValueShape; read: () => number | bigint; pos?: number } {
    this.ch.checkOpen();
    const s = this.signalOf.get(name);
    if (s === undefined) this.port(name); // raises the usage error
    return s!;
  }

  /** One rising edge of the clock input `name`. */
  private edge(name: string): void {
    const m = this.model;
    const k = this.clockIndex.get(name) ?? -1;
    if (k >= 0 && m.compiled.fastClock[k] && this.vcd === undefined) m.edge(k);
    else {
      const setter = this.slots.get(name)!.setter;
      this.vcd?.dump(this.time);
      m.set(setter, 1);
      m.settle();
      this.vcd?.dump(this.time + 5);
      m.set(setter, 0);
      m.settle();
    }
    this.time += 10;
    this.vcd?.dump(this.time);
  }

  private batchPoke(name: string, value: SimValue, k: number): void {
    const slot = this.pokeable.get(name);
    let e: SimError | undefined;
    if (slot === undefined) e = new SimUsageError(`batch cycle ${k}: "${name}" is not a pokeable input of ${this.design.top}`);
    else {
      try {
        this.model.set(slot.setter, rawBits(slot.port, value));
        return;
      } catch (err) {
        e = err instanceof SimError ? new SimUsageError(`batch cycle ${k}: ${err.message}`) : new SimError(String(err));
      }
    }
    this.ch.kill(e);
    throw e;
  }

  private checkLimit(n: number): void {
    if (this.cycle + n > this.limit) {
      const e = new SimCycleLimitError(this.limit, this.cycle + n);
      this.ch.kill(e);
      throw e;
    }
  }
}

/** A poked value as the model's raw bits, with the other backends' range checks and messages. */
function rawBits(port: PortInfo, value: SimValue): number | bigint {
  const w = port.width;
  if (!isWide(w) && typeof value === "number" && Number.isSafeInteger(value)) {
    const span = 2 ** w;
    if (value >= 0 && value < span) return value;
    if (port.signed && value < 0 && value >= -(span / 2)) return value + span;
  }
  const hex = encodeValue(port, value); // raises the usage error for a bad value
  const v = BigInt(`0x${hex}`);
  return isWide(w) ? v : Number(v);
}

/** The model's raw bits as the testbench sees them: number up to 53 bits, else bigint; signed negative. */
function userValue(port: ValueShape, raw: number | bigint): SimValue {
  const w = port.width;
  if (typeof raw === "number") {
    return port.signed && raw >= 2 ** (w - 1) ? raw - 2 ** w : raw;
  }
  const v = port.signed ? BigInt.asIntN(w, raw) : raw;
  return w <= MAX_NUMBER_WIDTH ? Number(v) : v;
}
