/**
 * What an unknown value can come from, and what reports reading one, with `checkUninitialised`
 * on: every register and synchronous read port of the flat design is an origin (unknown until
 * its first write, or its reset), every memory word another (unknown until written, unless the
 * memory's `init` or data file sets it). Origins are numbered from 1 (0 is "known"); a memory's
 * words take consecutive numbers, so the number names the word.
 */
import { formatLoc } from "../../hdl/core/source.js";
import type { FlatMemory, FlatSignal, Netlist } from "./flatten.js";
import { log2Ceil } from "../../hdl/core/types.js";

export interface Origin {
  /** First number of its range (registers and read ports have one number, memories one per word). */
  readonly base: number;
  readonly size: number;
  readonly kind: "register" | "read port" | "memory";
  /** Hierarchical name, e.g. `Top.fifo.count`. */
  readonly name: string;
  /** The user's `file:line` of its declaration. */
  readonly site: string;
}

/** A place where an unknown value is reported when it is read at an edge (outputs are checked by the simulation). */
export interface Sink {
  /** What reads it, e.g. `the write address of memory Top.ram`. */
  readonly reader: string;
}

export class OriginTable {
  readonly origins: Origin[] = [];
  private next = 1;
  private readonly ofSignal = new Map<number, number>();
  private readonly ofMemory = new Map<number, number>();

  constructor(private readonly net: Netlist) {}

  /** The origin of a register or read port's value (its number), allocated on first use. */
  signal(f: FlatSignal): number {
    let n = this.ofSignal.get(f.id);
    if (n === undefined) {
      const name = this.name(f.scope.path, f.signal.name);
      const mem = f.scope.module.memories.find((m) => m.readPorts.some((r) => r.data === f.signal));
      const what = f.kind === "reg" || !mem ? name : `${name} of memory ${this.name(f.scope.path, mem.name)}`;
      n = this.add(f.kind === "reg" ? "register" : "read port", what, formatLoc(f.signal.loc), 1);
      this.ofSignal.set(f.id, n);
    }
    return n;
  }

  /** The origin of word 0 of a memory (word i is this + i). */
  memory(m: FlatMemory): number {
    let n = this.ofMemory.get(m.id);
    if (n === undefined) {
      n = this.add("memory", this.name(m.scope.path, m.memory.name), formatLoc(m.memory.loc), 2 ** log2Ceil(m.memory.depth));
      this.ofMemory.set(m.id, n);
    }
    return n;
  }

  /** Hierarchical name of a signal or memory of a scope. */
  name(path: readonly string[], leaf: string): string {
    return [this.net.top.module.name, ...path, leaf].join(".");
  }

  private add(kind: Origin["kind"], name: string, site: string, size: number): number {
    const base = this.next;
    this.origins.push({ base, size, kind, name, site });
    this.next += size;
    return base;
  }
}

/** `register Top.r (file:line), never written`, or the memory word's, for an origin number. */
export function describeOrigin(origins: readonly Origin[], n: number): { source: string; site: string } {
  const o = origins.find((x) => n >= x.base && n < x.base + x.size);
  if (!o) return { source: `an unknown origin ${n}`, site: "?" };
  if (o.kind === "memory") return { source: `word ${n - o.base} of memory ${o.name}`, site: o.site };
  return { source: `${o.kind} ${o.name}`, site: o.site };
}
