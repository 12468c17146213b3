/**
 * The JS backend's model: the design flattened, generated as JS source (`codegen.ts`) and
 * compiled with `new Function`, cached in memory by a hash of the design (its Verilog and data
 * files, which the IR determines). A `JsModel` is one running instance: its own state and
 * memories, inputs set by raw bits, settled lazily before anything is read or clocked.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ElaboratedDesign } from "../../hdl/core/design.js";
import type { IrDesign, IrMemory } from "../../hdl/core/ir.js";
import { log2Ceil } from "../../hdl/core/types.js";
import { SimError, SimUsageError } from "../errors.js";
import type { Sample } from "../options.js";
import { generate, type GenerateOptions, type ModelSource } from "./codegen.js";
import { Netlist } from "./flatten.js";
import { parseReadmemh } from "./readmemh.js";
import { isMid, isWide } from "./repr.js";

/** A memory's words: raw bits, numbers up to 52 bits (typed arrays), else bigints. */
export type MemoryWords = Uint32Array | Float64Array | bigint[];

interface Closures {
  readonly set: readonly ((v: number | bigint) => void)[];
  readonly get: readonly (() => number | bigint)[];
  readonly edge: readonly (() => void)[];
  readonly settle: () => void;
  readonly clear: () => void;
  readonly sample: () => Sample;
  /** With `checkUninitialised`: each top port's shadow (0: known), in port order. */
  readonly unknown?: readonly (() => number)[];
}

/** Where the shadow code (`checkUninitialised`) reports and keeps memory words' shadows. */
export interface UninitSink {
  /** Each memory's word shadows (0: known, else the origin). */
  readonly mems: readonly Int32Array[];
  /** Edge-time reader `sink` read a value unknown from `origin`, at `cycle`. */
  report: (sink: number, origin: number, cycle: number) => void;
}

/** Where the design's verification statements report (`V.sink` in the generated code). */
export interface VerifySink {
  sink: (kind: "A" | "C" | "P", index: number, cycle: number, instance: string, args: readonly (number | bigint)[] | null, widths: readonly number[] | null) => void;
}

interface Helpers {
  readonly verify: VerifySink;
  readonly mems: readonly MemoryWords[];
  readonly parity32: (x: number) => number;
  readonly parityBig: (x: bigint) => number;
  readonly uninit?: UninitSink;
}

export interface CompiledDesign extends ModelSource {
  readonly factory: (h: Helpers) => Closures;
}

const compiled = new Map<string, CompiledDesign>();
/** Entries kept; the least recently used is dropped beyond this. */
const CACHE_ENTRIES = 200;
/**
 * Characters of model source kept: V8's code for a compiled model is many times its source, so
 * a run through hundreds of large designs (the three-way test's gangs of 50, about 1 M characters
 * each) would otherwise run out of heap.
 */
const CACHE_SOURCE_CHARS = 16_000_000;
let cachedChars = 0;

/** The IR of an elaborated design, or a usage error for designs that come as Verilog only. */
export function irOf(design: ElaboratedDesign): IrDesign {
  const ir = (design as { ir?: IrDesign }).ir;
  if (ir === undefined) {
    throw new SimUsageError(`backend "js" simulates designs elaborated from TypeScript (it reads their IR); ${design.top} has only Verilog: use "iverilog" or "verilator"`);
  }
  return ir;
}

/**
 * The compiled model of `design` (from the in-memory cache when the same design was compiled
 * before), with the shadows of `checkUninitialised` when asked (a model of its own).
 */
export function compileDesign(design: ElaboratedDesign, opts: GenerateOptions = {}): CompiledDesign {
  const h = createHash("sha256").update(design.verilog);
  for (const [name, text] of Object.entries(design.files ?? {})) h.update(`\0${name}\0${text}`);
  if (opts.checkUninitialised === true) h.update("\0checkUninitialised");
  else if (opts.activity === false) h.update("\0fullEvaluation");
  const key = h.digest("hex");
  const hit = compiled.get(key);
  if (hit) {
    compiled.delete(key);
    compiled.set(key, hit);
    return hit;
  }
  const src = generate(new Netlist(irOf(design)), opts);
  const factory = new Function("h", src.source) as (h: Helpers) => Closures;
  const c: CompiledDesign = { ...src, factory };
  compiled.set(key, c);
  cachedChars += c.source.length;
  while (compiled.size > 1 && (compiled.size > CACHE_ENTRIES || cachedChars > CACHE_SOURCE_CHARS)) {
    const oldest = compiled.keys().next().value!;
    cachedChars -= compiled.get(oldest)!.source.length;
    compiled.delete(oldest);
  }
  return c;
}

function parity32(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

function parityBig(x: bigint): number {
  let p = 0;
  while (x !== 0n) {
    p ^= parity32(Number(x & 0xffffffffn));
    x >>= 32n;
  }
  return p;
}

/**
 * A memory's initial words: `init`, an `initFile`, or the file its `initPlusarg` names; the rest
 * 0. Written into `into` when given (a finished instance's array), else into a new array.
 */
function initialWords(mem: IrMemory, plusargs: Readonly<Record<string, string>>, into?: MemoryWords, shadow?: { words: Int32Array; base: number }): MemoryWords {
  const words = 2 ** log2Ceil(mem.depth);
  const wide = isWide(mem.width);
  const out: MemoryWords = into ?? (wide ? new Array<bigint>(words).fill(0n) : isMid(mem.width) ? new Float64Array(words) : new Uint32Array(words));
  if (into) (into as { fill(v: 0 | 0n): unknown }).fill(wide ? 0n : 0);
  const mask = (1n << BigInt(mem.width)) - 1n;
  // With shadows, words start unknown (their own origin) and those the contents set are known.
  if (shadow) shadow.words.forEach((_, i) => (shadow.words[i] = mem.init ? 0 : i < mem.depth ? shadow.base + i : 0));
  const store = (i: number, v: bigint): void => {
    if (shadow) shadow.words[i] = 0;
    if (wide) (out as bigint[])[i] = v & mask;
    else (out as Uint32Array | Float64Array)[i] = Number(v & mask);
  };
  const file = mem.initFile ?? (mem.initPlusarg !== undefined ? plusargs[mem.initPlusarg] : undefined);
  if (mem.init) mem.init.forEach((v, i) => store(i, v));
  else if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(resolve(file), "utf8");
    } catch (e) {
      throw new SimError(`memory ${mem.name}: cannot read its $readmemh file ${file}: ${(e as Error).message}`);
    }
    parseReadmemh(text, file, mem.depth, store);
  }
  return out;
}

/** Finished instances of each compiled design, ready to be used again. */
const idle = new WeakMap<CompiledDesign, { closures: Closures; memories: readonly MemoryWords[]; verify: VerifySink; uninit: UninitSink | undefined }[]>();

export class JsModel {
  readonly closures: Closures;
  readonly memories: readonly MemoryWords[];
  /** Set `verify.sink` to receive the design's checks and printf lines. */
  readonly verify: VerifySink;
  /** With `checkUninitialised`: set `uninit.report` to receive the edge-time reports. */
  readonly uninit: UninitSink | undefined;
  private dirty = true;
  private released = false;

  constructor(
    readonly compiled: CompiledDesign,
    plusargs: Readonly<Record<string, string>>,
  ) {
    // A finished instance of the same design keeps its optimised code: clear it and reuse it.
    const reuse = idle.get(compiled)?.pop();
    const u = compiled.uninit;
    const shadow = (i: number, m: IrMemory, words?: Int32Array): { words: Int32Array; base: number } | undefined =>
      u ? { words: words ?? new Int32Array(2 ** log2Ceil(m.depth)), base: u.memoryBase[i]! } : undefined;
    if (reuse) {
      this.memories = compiled.memories.map((m, i) => initialWords(m.memory, plusargs, reuse.memories[i], shadow(i, m.memory, reuse.uninit?.mems[i])));
      this.closures = reuse.closures;
      this.verify = reuse.verify;
      this.uninit = reuse.uninit;
      this.closures.clear();
    } else {
      const shadows = compiled.memories.map((m, i) => shadow(i, m.memory));
      this.memories = compiled.memories.map((m, i) => initialWords(m.memory, plusargs, undefined, shadows[i]));
      this.verify = { sink: () => undefined };
      this.uninit = u ? { mems: shadows.map((x) => x!.words), report: () => undefined } : undefined;
      this.closures = compiled.factory({ verify: this.verify, mems: this.memories, parity32, parityBig, ...(this.uninit ? { uninit: this.uninit } : {}) });
    }
  }

  /** The instance is finished: keep it for the next simulation of the same design. */
  release(): void {
    if (this.released) return;
    this.released = true;
    let list = idle.get(this.compiled);
    if (!list) idle.set(this.compiled, (list = []));
    this.verify.sink = () => undefined;
    if (this.uninit) this.uninit.report = () => undefined;
    if (list.length < 4) list.push({ closures: this.closures, memories: this.memories, verify: this.verify, uninit: this.uninit });
  }

  /** Sets input `i` (of the pokeable and clock inputs, in port order) to raw bits. */
  set(i: number, raw: number | bigint): void {
    this.closures.set[i]!(raw);
    this.dirty = true;
  }

  /** The raw bits of flat signal `id`, settled. */
  get(id: number): number | bigint {
    this.settle();
    return this.closures.get[id]!();
  }

  settle(): void {
    if (this.dirty) {
      try {
        this.closures.settle();
      } catch (e) {
        throw new SimError(`backend "js": ${(e as Error).message}`);
      }
      this.dirty = false;
    }
  }

  /** One rising edge of clock net `k` without toggling it (a top input read by nothing else). */
  edge(k: number): void {
    this.settle();
    this.closures.edge[k]!();
    this.dirty = true;
  }

  /** Every output, settled, as user values. */
  sample(): Sample {
    this.settle();
    return this.closures.sample();
  }

  /** With `checkUninitialised`: top port `i`'s shadow, settled (0: known, else its origin). */
  unknown(i: number): number {
    this.settle();
    return this.closures.unknown?.[i]?.() ?? 0;
  }

  markDirty(): void {
    this.dirty = true;
  }
}
