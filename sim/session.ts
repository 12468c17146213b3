import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { ElaboratedDesign, PortInfo } from "../hdl/core/design.js";
import {
  SimCycleLimitError,
  SimError,
  SimProcessError,
  SimTimeoutError,
  SimToolMissingError,
  SimUsageError,
  SimXError,
} from "./errors.js";
import { prepareIcarus } from "./icarus.js";
import type { Launch } from "./launch.js";
import { MAX_NUMBER_WIDTH, decodeBig, decodeValue, encodeValue, hasXZ, portTable, type PortTable, type SimValue } from "./ports.js";
import { prepareVerilator } from "./verilator.js";

export type Backend = "iverilog" | "verilator";

export interface SimOptions {
  /** Simulator: "iverilog" (default, four-state, X detection) or "verilator" (fast, two-state). */
  backend?: Backend;
  /** Write a VCD waveform to this path (directories are created). */
  vcd?: string;
  /** Stop with SimCycleLimitError if more clock cycles than this are requested. Default: no limit. */
  maxCycles?: number;
  /**
   * Wall-time limit in ms for any single wait on the simulator (one peek, one step(n),
   * one whole batch). On expiry the process is killed and SimTimeoutError raised. Default 60000.
   */
  timeoutMs?: number;
  /** Build cache root (default `$SIM_CACHE_DIR` or `.cache/` under the working directory). */
  cacheDir?: string;
  /** Extra verilator arguments (Verilator backend only; part of the cache key). */
  verilatorArgs?: readonly string[];
  /**
   * Run-time arguments `+name=value` for the simulation (both backends), e.g. the file a memory
   * declared with `initPlusarg: "name"` loads at start. Not part of any build cache key.
   */
  plusargs?: Readonly<Record<string, string>>;
}

/** One cycle of batch stimulus: input name -> value. Inputs left out keep their previous value. */
export type Stimulus = Readonly<Record<string, SimValue>>;
/** The outputs sampled in one cycle: output name -> value (number up to 53 bits, else bigint). */
export type Sample = Record<string, SimValue>;

export interface BatchOptions {
  /** Cycles with the reset input held high before the stimulus (their outputs are not returned). Default 0. */
  resetCycles?: number;
  /**
   * Apply the first `skip` stimulus cycles without returning (or X-checking) their samples,
   * e.g. to let a register without reset load a first value. Default 0.
   */
  skip?: number;
  /**
   * Outputs that may legitimately be X/Z (Icarus), e.g. data while its valid is low:
   * `true` for all outputs, or a list of names. Their X/Z samples are left out of the
   * sample (the key is absent) instead of raising SimXError. Default: none.
   */
  allowX?: boolean | readonly string[];
}

function xAllowed(allowX: boolean | readonly string[] | undefined, name: string): boolean {
  return allowX === true || (Array.isArray(allowX) && allowX.includes(name));
}

interface Pending {
  readonly what: string;
  readonly lines: string[];
  readonly expect: number;
  received: number;
  /** Consumes each answer line instead of collecting it (batch samples). */
  readonly sink: ((line: string, index: number) => void) | undefined;
  readonly resolve: (lines: string[]) => void;
  readonly reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

const live = new Set<ChildProcessWithoutNullStreams>();
let exitHookInstalled = false;
function track(child: ChildProcessWithoutNullStreams): void {
  live.add(child);
  child.on("close", () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const c of live) c.kill("SIGKILL");
    });
  }
}

/**
 * A running co-simulation. Inputs poked are buffered and sent with the next
 * peek/step; every method that waits for the simulator is async.
 *
 * Timing model, per clock cycle: inputs poked before `step()` are applied and
 * settle, then one rising clock edge; a peek after `step()` sees the registers'
 * new values and the combinational outputs computed from them.
 */
export class Simulation {
  /** Clock cycles stepped so far (including reset and batch cycles). */
  cycle = 0;
  readonly backend: Backend;
  readonly design: ElaboratedDesign;

  private readonly table: PortTable;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly tool: string;
  private readonly maxCycles: number;
  private readonly timeoutMs: number;
  private readonly inputHex: string[];
  private pokes = "";
  private readonly pending: Pending[] = [];
  private partial = "";
  private stderr = "";
  private readonly log: string[] = [];
  private dead: SimError | undefined;
  private closing = false;
  private exited = false;
  private readonly exitPromise: Promise<void>;

  /** @internal use `simulate()`. */
  constructor(design: ElaboratedDesign, table: PortTable, launch: Launch, backend: Backend, opts: SimOptions) {
    this.design = design;
    this.table = table;
    this.backend = backend;
    this.tool = launch.tool;
    this.maxCycles = opts.maxCycles ?? Number.POSITIVE_INFINITY;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.inputHex = table.inputs.map(() => "0");
    const args = [...launch.args];
    if (opts.vcd !== undefined) args.push(launch.vcdArg(resolve(opts.vcd)));
    for (const [name, value] of Object.entries(opts.plusargs ?? {})) args.push(`+${name}=${value}`);
    this.child = spawn(launch.command, args, { stdio: ["pipe", "pipe", "pipe"] });
    track(this.child);
    this.child.stdout.setEncoding("utf8").on("data", (d: string) => this.onData(d));
    this.child.stderr.setEncoding("utf8").on("data", (d: string) => {
      this.stderr += d;
      if (this.stderr.length > 65536) this.stderr = this.stderr.slice(-32768);
    });
    this.child.stdin.on("error", () => {
      /* reported through 'close' */
    });
    this.exitPromise = new Promise((res) => {
      this.child.on("close", (code, signal) => {
        this.exited = true;
        this.onExit(code, signal);
        res();
      });
    });
    this.child.on("error", (err: NodeJS.ErrnoException) => {
      const e =
        err.code === "ENOENT"
          ? new SimToolMissingError(launch.command, backend === "verilator" ? "apt-get install verilator" : "apt-get install iverilog")
          : new SimError(`could not start ${launch.command}: ${err.message}`);
      this.fail(e);
    });
  }

  /** Wait for the simulator's ready line. @internal */
  async ready(): Promise<void> {
    await this.request("", 1, "the simulator to start");
  }

  /** Port info by name (any port). */
  port(name: string): PortInfo {
    const i = this.table.portIndex.get(name);
    if (i === undefined) {
      throw new SimUsageError(`no port "${name}" on ${this.design.top}; ports: ${this.table.ports.map((p) => p.name).join(", ")}`);
    }
    return this.table.ports[i]!;
  }

  /** Set an input (buffered until the next peek/step). Numbers must be safe integers; signed ports take negatives. */
  poke(name: string, value: SimValue): void {
    this.checkOpen();
    const i = this.table.inputIndex.get(name);
    if (i === undefined) {
      const p = this.port(name);
      if (p.name === this.table.clock) throw new SimUsageError(`cannot poke the clock "${name}": use step()`);
      throw new SimUsageError(`cannot poke output "${name}" of ${this.design.top}`);
    }
    const hex = encodeValue(this.table.inputs[i]!, value);
    this.inputHex[i] = hex;
    this.pokes += `P ${i} ${hex}\n`;
  }

  /** Read a port as a number (ports up to 53 bits; use peekBig for wider ones). Signed ports read negative. */
  async peek(name: string): Promise<number> {
    const p = this.port(name);
    if (p.width > MAX_NUMBER_WIDTH) {
      throw new SimUsageError(`port "${name}" is ${p.width} bits wide: use peekBig() (peek() returns a number, exact up to 53 bits)`);
    }
    return Number(await this.peekBig(name));
  }

  /** Read a port of any width as a bigint. Signed ports read negative. */
  async peekBig(name: string): Promise<bigint> {
    const p = this.port(name);
    return decodeBig(p, await this.peekHex(p));
  }

  /** Read a port as a number when width <= 53, else as a bigint. */
  async peekValue(name: string): Promise<SimValue> {
    const p = this.port(name);
    return decodeValue(p, await this.peekHex(p));
  }

  /** Read a port like peekValue(), but return undefined instead of raising when it is X/Z. */
  async tryPeek(name: string): Promise<SimValue | undefined> {
    const p = this.port(name);
    this.checkOpen();
    const lines = await this.request(`G ${this.table.portIndex.get(p.name)}\n`, 1, `tryPeek("${p.name}")`);
    const h = lines[0]!.slice(3).trim();
    return hasXZ(h) ? undefined : decodeValue(p, h);
  }

  /**
   * Read every output (number when width <= 53, else bigint), in one round trip.
   * Outputs listed in `opts.allowX` (or all, with `true`) are left out when X/Z instead of raising.
   */
  async peekAll(opts: { allowX?: boolean | readonly string[] } = {}): Promise<Sample> {
    this.checkOpen();
    const outs = this.table.outputs;
    const cmds = outs.map((p) => `G ${this.table.portIndex.get(p.name)}\n`).join("");
    const lines = await this.request(cmds, outs.length, "peekAll()");
    const r: Sample = {};
    outs.forEach((p, k) => {
      const h = lines[k]!.slice(3).trim();
      if (hasXZ(h) && xAllowed(opts.allowX, p.name)) return;
      r[p.name] = decodeValue(p, this.valueOf(lines[k]!, p));
    });
    return r;
  }

  /** Advance n rising clock edges (n >= 0). */
  async step(n = 1): Promise<void> {
    this.checkOpen();
    if (!Number.isSafeInteger(n) || n < 0) throw new SimUsageError(`step(${n}): expected a non-negative integer`);
    this.checkCycles(n);
    this.cycle += n;
    await this.request(`S ${n}\n`, 1, `step(${n})`);
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
    this.checkOpen();
    const resetCycles = opts.resetCycles ?? 0;
    if (resetCycles > 0) await this.reset(resetCycles);
    const n = stimulus.length;
    if (n === 0) return [];
    this.checkCycles(n);
    const ins = this.table.inputs;
    const hex = this.inputHex;
    const outs = this.table.outputs;
    const startCycle = this.cycle;
    this.cycle += n;
    const skip = Math.max(0, Math.min(n, opts.skip ?? 0));
    const samples: Sample[] = new Array<Sample>(n - skip);
    const nOut = outs.length;
    const allowed = outs.map((p) => xAllowed(opts.allowX, p.name));
    let xError: SimXError | undefined;
    // Decode each answer line as it arrives: `@O <hex> <hex> ...`.
    const sink = (line: string, k: number): void => {
      if (k < skip || xError) return;
      const s: Sample = {};
      let pos = 3;
      for (let j = 0; j < nOut; j++) {
        let end = line.indexOf(" ", pos);
        if (end < 0) end = line.length;
        const h = line.slice(pos, end);
        pos = end + 1;
        const p = outs[j]!;
        if (hasXZ(h)) {
          if (allowed[j]) continue;
          xError = new SimXError(p.name, h, startCycle + k);
          return;
        }
        s[p.name] = decodeValue(p, h);
      }
      samples[k - skip] = s;
    };
    const result = this.request("", n, `a batch of ${n} cycles`, sink);
    result.catch(() => undefined);
    this.flushPokes();
    this.write(`B ${n}\n`);
    const CHUNK = 4096;
    for (let c = 0; c < n; c += CHUNK) {
      let text = "";
      for (let k = c; k < Math.min(n, c + CHUNK); k++) {
        const s = stimulus[k]!;
        for (const name in s) {
          const i = this.table.inputIndex.get(name);
          let e: SimError | undefined;
          if (i === undefined) e = new SimUsageError(`batch cycle ${k}: "${name}" is not a pokeable input of ${this.design.top}`);
          else {
            try {
              hex[i] = encodeValue(ins[i]!, s[name]!);
            } catch (err) {
              e = err instanceof SimError ? new SimUsageError(`batch cycle ${k}: ${err.message}`) : new SimError(String(err));
            }
          }
          if (e) {
            this.kill(e);
            throw e;
          }
        }
        text += hex.join(" ") + "\n";
      }
      if (!this.child.stdin.write(text) && !this.dead) {
        await new Promise<void>((res) => {
          const done = (): void => {
            this.child.stdin.off("drain", done);
            this.child.off("close", done);
            res();
          };
          this.child.stdin.on("drain", done);
          this.child.on("close", done);
        });
      }
      if (this.dead) break;
    }
    await result;
    if (xError) throw xError;
    return samples;
  }

  /** Lines the design printed ($display) so far. */
  output(): readonly string[] {
    return this.log;
  }

  /** End the simulation (flushes the VCD). Safe to call twice. */
  async close(): Promise<void> {
    if (this.closing || this.exited) {
      await this.exitPromise;
      return;
    }
    if (this.dead) return;
    this.closing = true;
    this.flushPokes();
    const t = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    this.write("Q\n");
    this.child.stdin.end();
    await this.exitPromise;
    clearTimeout(t);
  }

  // ---- internals ----

  private checkOpen(): void {
    if (this.dead) throw this.dead;
    if (this.closing || this.exited) throw new SimUsageError("the simulation is closed");
  }

  private checkCycles(n: number): void {
    if (this.cycle + n > this.maxCycles) {
      const e = new SimCycleLimitError(this.maxCycles, this.cycle + n);
      this.kill(e);
      throw e;
    }
  }

  private async peekHex(p: PortInfo): Promise<string> {
    this.checkOpen();
    const lines = await this.request(`G ${this.table.portIndex.get(p.name)}\n`, 1, `peek("${p.name}")`);
    return this.valueOf(lines[0]!, p);
  }

  private valueOf(line: string, p: PortInfo): string {
    const h = line.slice(3).trim();
    if (hasXZ(h)) throw new SimXError(p.name, h, this.cycle);
    return h;
  }

  private flushPokes(): void {
    if (this.pokes) {
      this.write(this.pokes);
      this.pokes = "";
    }
  }

  private write(s: string): void {
    if (!this.dead && !this.exited) this.child.stdin.write(s);
  }

  private request(cmd: string, expect: number, what: string, sink?: (line: string, index: number) => void): Promise<string[]> {
    return new Promise((res, rej) => {
      if (this.dead) return rej(this.dead);
      if (expect === 0) {
        this.flushPokes();
        if (cmd) this.write(cmd);
        return res([]);
      }
      const p: Pending = { what, lines: [], expect, received: 0, sink, resolve: res, reject: rej, timer: undefined };
      const ms = this.timeoutMs;
      p.timer = setTimeout(() => this.kill(new SimTimeoutError(ms, what)), ms);
      this.pending.push(p);
      this.flushPokes();
      if (cmd) this.write(cmd);
    });
  }

  private onData(d: string): void {
    const text = this.partial + d;
    const lines = text.split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) {
      if (line.startsWith("@")) this.onResponse(line);
      else {
        this.log.push(line);
        if (this.log.length > 1000) this.log.shift();
      }
    }
  }

  private onResponse(line: string): void {
    if (line.startsWith("@Q")) return;
    if (line.startsWith("@!")) {
      this.kill(new SimError(`protocol error from ${this.tool} harness: ${line.slice(2).trim()}`));
      return;
    }
    const p = this.pending[0];
    if (!p) {
      this.kill(new SimError(`unexpected output from ${this.tool}: ${line}`));
      return;
    }
    if (p.sink) p.sink(line, p.received);
    else p.lines.push(line);
    p.received++;
    if (p.received === p.expect) {
      this.pending.shift();
      if (p.timer) clearTimeout(p.timer);
      p.resolve(p.lines);
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.dead && !(this.closing && this.pending.length === 0)) {
      const detail = [this.stderr.trim(), ...this.log.slice(-20)].filter((s) => s).join("\n");
      this.dead = new SimProcessError(this.tool, code, signal, detail);
    }
    this.rejectAll();
  }

  private fail(e: SimError): void {
    if (!this.dead) this.dead = e;
    this.rejectAll();
  }

  private rejectAll(): void {
    const e = this.dead ?? new SimUsageError("the simulation is closed");
    for (const p of this.pending.splice(0)) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(e);
    }
  }

  /** Kill the process, failing all waiters with `e`. */
  private kill(e: SimError = new SimUsageError("the simulation was stopped")): void {
    if (!this.dead) this.dead = e;
    this.rejectAll();
    if (!this.exited) this.child.kill("SIGKILL");
  }
}

/** Compile (or reuse from the cache) and start a simulation of `design`. */
export async function simulate(design: ElaboratedDesign, opts: SimOptions = {}): Promise<Simulation> {
  const backend = opts.backend ?? "iverilog";
  const table = portTable(design);
  let launch: Launch;
  if (backend === "iverilog") launch = await prepareIcarus(table, { ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}) });
  else if (backend === "verilator")
    launch = await prepareVerilator(table, {
      ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
      trace: opts.vcd !== undefined,
      ...(opts.verilatorArgs !== undefined ? { verilatorArgs: opts.verilatorArgs } : {}),
    });
  else throw new SimUsageError(`unknown backend "${String(backend)}": use "iverilog" or "verilator"`);
  if (opts.vcd !== undefined) await mkdir(dirname(resolve(opts.vcd)), { recursive: true });
  const sim = new Simulation(design, table, launch, backend, opts);
  await sim.ready();
  return sim;
}

/** Start a simulation, run `stimulus` as one batch, close it, and return the per-cycle samples. */
export async function runBatch(
  design: ElaboratedDesign,
  stimulus: readonly Stimulus[],
  opts: SimOptions & BatchOptions = {},
): Promise<Sample[]> {
  const sim = await simulate(design, opts);
  try {
    return await sim.batch(stimulus, opts);
  } finally {
    await sim.close().catch(() => undefined);
  }
}
