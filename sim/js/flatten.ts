/**
 * The design's module tree flattened into one netlist for the JS backend: every instance of a
 * module is a scope, every signal of a scope a flat signal, except those that only stand for
 * another (a child's input is the parent's signal driving it; a parent's `instOut` is the
 * child's output; a child's implicit clock and reset are the parent's or its domain's).
 */
import { implicitPortOf, implicitRole } from "../../hdl/core/clock.js";
import type { IrDesign, IrDomain, IrInstance, IrMemory, IrModule, IrSignal, ResetStyle } from "../../hdl/core/ir.js";
import { SimUsageError } from "../errors.js";

/** One instance of a module; the top is the scope without a parent. */
export interface Scope {
  readonly index: number;
  /** Instance names from the top, e.g. ["fifo", "ram"] (empty for the top). */
  readonly path: readonly string[];
  readonly module: IrModule;
  readonly parent?: Scope;
  readonly instance?: IrInstance;
  readonly children: Map<IrInstance, Scope>;
}

export type FlatKind = "input" | "comb" | "reg" | "memRead";

export interface FlatSignal {
  readonly id: number;
  readonly width: number;
  readonly signed: boolean;
  readonly kind: FlatKind;
  /** The scope and signal that own it (a comb signal's driver is in this scope's body). */
  readonly scope: Scope;
  readonly signal: IrSignal;
}

export interface FlatMemory {
  readonly id: number;
  readonly scope: Scope;
  readonly memory: IrMemory;
}

/** The clock, reset and reset style of a register or memory port, resolved to flat signals. */
export interface FlatDomain {
  readonly clock: FlatSignal;
  readonly reset: FlatSignal | undefined;
  readonly style: ResetStyle;
}

export class Netlist {
  readonly scopes: Scope[] = [];
  readonly signals: FlatSignal[] = [];
  readonly memories: FlatMemory[] = [];
  readonly top: Scope;
  private readonly memo = new Map<string, FlatSignal>();
  /** A constant-0 source for a child's reset left unconnected by a domain without one. */
  private zero: FlatSignal | undefined;

  constructor(design: IrDesign) {
    this.top = this.scope(design.top, [], undefined, undefined);
    // Scopes are created parents first, without recursion.
    const todo = [this.top];
    while (todo.length > 0) {
      const s = todo.pop()!;
      for (const inst of s.module.instances) {
        if (inst.of.blackbox) {
          throw new SimUsageError(`backend "js" cannot simulate the blackbox ${inst.of.blackbox.moduleName} (instance ${[...s.path, inst.name].join(".")}): use "iverilog" or "verilator"`);
        }
        const child = this.scope(inst.of, [...s.path, inst.name], s, inst);
        s.children.set(inst, child);
        todo.push(child);
      }
    }
    for (const s of this.scopes) {
      for (const sig of [...s.module.ports, ...s.module.signals]) this.flat(s, sig);
      for (const memory of s.module.memories) this.memories.push({ id: this.memories.length, scope: s, memory });
    }
  }

  private scope(module: IrModule, path: string[], parent: Scope | undefined, instance: IrInstance | undefined): Scope {
    const s: Scope = { index: this.scopes.length, path, module, children: new Map(), ...(parent ? { parent } : {}), ...(instance ? { instance } : {}) };
    this.scopes.push(s);
    return s;
  }

  /** The flat signal a signal of a scope reads. */
  flat(scope: Scope, signal: IrSignal): FlatSignal {
    // Follow the chain of stand-ins iteratively (hierarchies can be deep).
    let s = scope;
    let sig = signal;
    const visited: string[] = [];
    for (;;) {
      const key = `${s.index}:${sig.id}`;
      const known = this.memo.get(key);
      if (known) return this.remember(visited, known);
      visited.push(key);
      const next = this.standsFor(s, sig);
      if (next === undefined) return this.remember(visited, this.own(s, sig));
      if (next === "zero") return this.remember(visited, this.zeroSource(s, sig));
      [s, sig] = next;
    }
  }

  /** The clock domain of a register or memory port of `scope` (absent: the module's implicit one). */
  domain(scope: Scope, d: IrDomain | undefined): FlatDomain {
    if (d) return { clock: this.flat(scope, d.clock), reset: d.reset ? this.flat(scope, d.reset) : undefined, style: d.style };
    const clock = implicitPortOf(scope.module, "clock");
    const reset = implicitPortOf(scope.module, "reset");
    if (!clock) throw new SimUsageError(`module ${scope.module.name} has state but no clock`);
    return { clock: this.flat(scope, clock), reset: reset ? this.flat(scope, reset) : undefined, style: scope.module.resetStyle };
  }

  private remember(keys: readonly string[], f: FlatSignal): FlatSignal {
    for (const k of keys) this.memo.set(k, f);
    return f;
  }

  /** What a stand-in signal stands for: [scope, signal], "zero", or undefined for a signal of its own. */
  private standsFor(s: Scope, sig: IrSignal): [Scope, IrSignal] | "zero" | undefined {
    if (sig.kind === "input" && s.parent && s.instance) {
      const role = implicitRole(sig);
      const inst = s.instance;
      if (role !== undefined) {
        if (inst.domain) {
          const d = role === "clock" ? inst.domain.clock : inst.domain.reset;
          return d ? [s.parent, d] : "zero";
        }
        const p = implicitPortOf(s.parent.module, role);
        return p ? [s.parent, p] : "zero";
      }
      const driver = inst.ports.get(sig);
      if (!driver) throw new SimUsageError(`port ${sig.name} of instance ${s.path.join(".")} is not connected`);
      return [s.parent, driver];
    }
    if (sig.kind === "instOut") {
      const child = s.children.get(sig.instance!)!;
      return [child, sig.childPort!];
    }
    return undefined;
  }

  private own(s: Scope, sig: IrSignal): FlatSignal {
    const kind: FlatKind = sig.kind === "input" ? "input" : sig.kind === "reg" ? "reg" : sig.kind === "memRead" ? "memRead" : "comb";
    const f: FlatSignal = { id: this.signals.length, width: sig.width, signed: sig.signed, kind, scope: s, signal: sig };
    this.signals.push(f);
    return f;
  }

  private zeroSource(s: Scope, sig: IrSignal): FlatSignal {
    if (!this.zero) {
      this.zero = { id: this.signals.length, width: 1, signed: false, kind: "input", scope: s, signal: sig };
      this.signals.push(this.zero);
    }
    return this.zero;
  }
}
