/**
 * Memories and ROMs. Emitted in the shape Yosys maps to block RAM when large
 * (synchronous read) and to LUT RAM or logic when small or read asynchronously.
 * Ports opened inside `when` blocks are enabled only under those conditions.
 */
import { ensureClock } from "./clock.js";
import { currentContext, freshId, type ModuleContext } from "./context.js";
import { HdlError } from "./errors.js";
import type { IrMemory, IrOp, MemStyle } from "./ir.js";
import { fits, toBigInt, type Literal } from "./literal.js";
import { nameAt } from "./naming.js";
import { Signal, toSignal, type Operand } from "./signal.js";
import { formatLoc, userLocation } from "./source.js";
import { Bool, log2Ceil, typeName, type GroundType } from "./types.js";
import { newSignal, type SignalOptions } from "./var.js";

export interface MemOptions extends SignalOptions {
  /** Initial contents, one value per word (missing words are 0). */
  readonly init?: readonly Literal[];
  /** Initial contents from a `$readmemh` file (path as the simulator and synthesis tool will see it). */
  readonly initFile?: string;
  /**
   * Write `init` into a `$readmemh` data file (`<module>_<memory>.hex`, returned in the
   * elaboration's `files`) instead of an initial block: Yosys reads a large ROM this way in
   * seconds rather than minutes. Simulation and synthesis in this package place the file themselves.
   */
  readonly initAsFile?: boolean;
  /**
   * Simulation only: initial contents from the `$readmemh` file given at run time as
   * `+NAME=FILE` (sim's `plusargs` option); without the argument the memory starts unset.
   * For testbench memories whose data changes between runs of one compiled model.
   */
  readonly initPlusarg?: string;
  /**
   * Ask synthesis for block RAM, LUT RAM ("distributed") or flip-flops ("registers"), emitted as
   * the `ram_style` attribute Yosys and Vivado honour. Without it the tool chooses by size.
   */
  readonly style?: MemStyle;
}

export class Memory {
  /** @internal use Mem() or Rom(). */
  constructor(
    readonly ir: IrMemory,
    readonly type: GroundType,
    private readonly ctx: ModuleContext,
  ) {}

  get depth(): number {
    return this.ir.depth;
  }

  /** Address width: enough bits for every word. */
  get addrWidth(): number {
    return log2Ceil(this.ir.depth);
  }

  /** Synchronous read: the word at `addr` appears after the next clock edge (block RAM style). */
  readSync(addr: Operand, opts?: { enable?: Operand; name?: string }): Signal {
    const loc = userLocation();
    const a = this.address(addr);
    const domain = this.ctx.domain;
    if (!domain) ensureClock(this.ctx);
    const data = newSignal("memRead", this.type, "readSync()", opts?.name ?? nameAt(loc) ?? `${this.ir.hint}_rdata`, opts?.name !== undefined, loc);
    const enable = this.enable(opts?.enable);
    this.ir.readPorts.push({ kind: "sync", addr: a.expr, data: data.signal, loc, ...(enable ? { enable: enable.expr } : {}), ...(domain ? { domain } : {}) });
    return data;
  }

  /** Asynchronous (combinational) read: LUT RAM or logic. */
  readAsync(addr: Operand): Signal {
    const loc = userLocation();
    const a = this.address(addr);
    this.ir.readPorts.push({ kind: "async", addr: a.expr, loc });
    const node: IrOp = {
      k: "op",
      op: "memRead",
      args: [a.expr],
      params: [],
      width: this.type.width,
      signed: this.type.kind === "sint",
      loc,
      memory: this.ir,
      hint: nameAt(loc),
    };
    return new Signal(node, this.type, this.ctx.module);
  }

  /** Writes `data` at `addr` on the clock edge (when enabled and inside the enclosing `when` conditions). */
  write(addr: Operand, data: Operand, opts?: { enable?: Operand }): void {
    const loc = userLocation();
    const ctx = currentContext("write()");
    if (ctx !== this.ctx) throw new HdlError(loc, `memory ${this.ir.hint} belongs to module ${this.ctx.module.name}`);
    const a = this.address(addr);
    const d = toSignal(data, new Signal({ k: "lit", value: 0n, width: 1, signed: this.type.kind === "sint" }, this.type, undefined));
    const domain = this.ctx.domain;
    const other = this.ir.writePorts.find((w) => w.domain !== domain);
    if (other) {
      throw new HdlError(loc, `memory ${this.ir.hint} is written in clock domain ${domain?.name ?? "(implicit)"} here and in ${other.domain?.name ?? "(implicit)"} at ${formatLoc(other.loc)}: all write ports of a memory share one clock`, [other.loc]);
    }
    if (!domain) ensureClock(this.ctx);
    const enable = this.enable(opts?.enable) ?? toSignal(true);
    this.ir.writePorts.push({ addr: a.expr, data: d.expr, enable: enable.expr, loc, ...(domain ? { domain } : {}) });
  }

  private address(addr: Operand): Signal {
    const a = toSignal(addr);
    if (a.signed) throw new HdlError(userLocation(), `memory address must be unsigned, got ${typeName(a.type)}`);
    return a;
  }

  /** The user's enable AND'ed with the enclosing `when` conditions. */
  private enable(user: Operand | undefined): Signal | undefined {
    const parts = this.ctx.conditions.map((c) => new Signal(c, Bool(), this.ctx.module));
    if (user !== undefined) parts.push(toSignal(user));
    return parts.length === 0 ? undefined : parts.reduce((x, y) => x.and(y));
  }
}

function newMemory(depth: number, type: GroundType, opts: MemOptions | undefined, what: string): Memory {
  const loc = userLocation();
  const ctx = currentContext(what);
  if (!Number.isInteger(depth) || depth < 1) throw new HdlError(loc, `memory depth must be a positive integer, got ${depth}`);
  const signed = type.kind === "sint";
  const init = opts?.init?.map((v, i) => {
    const b = toBigInt(v);
    if (!fits(b, type.width, signed)) throw new HdlError(loc, `initial value ${b} at word ${i} does not fit in ${typeName(type)}`);
    return b;
  });
  if (init && init.length > depth) throw new HdlError(loc, `${init.length} initial values for a memory of ${depth} words`);
  const sources = [opts?.init, opts?.initFile, opts?.initPlusarg].filter((x) => x !== undefined).length;
  if (sources > 1) throw new HdlError(loc, "give at most one of init, initFile and initPlusarg");
  if (opts?.initAsFile && opts.init === undefined) throw new HdlError(loc, "initAsFile writes the init contents to a file: give init too");
  if (opts?.initPlusarg !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(opts.initPlusarg)) throw new HdlError(loc, `initPlusarg ${JSON.stringify(opts.initPlusarg)} must be an identifier`);
  const hint = opts?.name ?? nameAt(loc) ?? "_mem";
  const ir: IrMemory = {
    id: freshId(),
    width: type.width,
    depth,
    signed,
    loc,
    module: ctx.module,
    hint,
    explicit: opts?.name !== undefined,
    name: hint,
    readPorts: [],
    writePorts: [],
    ...(init ? { init } : {}),
    ...(opts?.initFile ? { initFile: opts.initFile } : {}),
    ...(opts?.initAsFile ? { initAsFile: true } : {}),
    ...(opts?.initPlusarg ? { initPlusarg: opts.initPlusarg } : {}),
    ...(opts?.style ? { style: opts.style } : {}),
  };
  ctx.module.memories.push(ir);
  return new Memory(ir, type, ctx);
}

/** A read/write memory of `depth` words. */
export function Mem(depth: number, type: GroundType, opts?: MemOptions): Memory {
  return newMemory(depth, type, opts, "Mem()");
}

export interface RomOptions extends SignalOptions {
  /** Contents as a `$readmemh` data file instead of an initial block (see MemOptions.initAsFile). */
  readonly initAsFile?: boolean;
  readonly style?: MemStyle;
}

/** A read-only memory holding `contents`. */
export function Rom(type: GroundType, contents: readonly Literal[], opts?: RomOptions): Memory {
  return newMemory(contents.length, type, { ...opts, init: contents }, "Rom()");
}
