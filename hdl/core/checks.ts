/**
 * Elaboration checks on the IR. Each problem is reported at the user's
 * file:line; all problems of a design are reported together.
 */
import { checkDomains } from "./check-domains.js";
import { isImplicitPort } from "./clock.js";
import { HdlError } from "./errors.js";
import { findCycle, postOrder } from "./graph.js";
import type { IrConnect, IrDesign, IrExpr, IrModule, IrSignal, IrStmt } from "./ir.js";
import { drivesFully, projectAll, readsOf, refsOf, type Projection } from "./project.js";
import { forEachBlock, forEachStatement } from "./walk.js";
import { formatLoc, type SourceLoc } from "./source.js";
import { log2Ceil } from "./types.js";

export class HdlCheckError extends HdlError {
  constructor(readonly problems: readonly HdlError[]) {
    super(problems[0]!.loc, problems.map((p, i) => (i === 0 ? p.message.slice(p.message.indexOf(": ") + 2) : `\n${p.message}`)).join(""));
    this.name = "HdlCheckError";
  }
}

function describe(s: IrSignal): string {
  switch (s.kind) {
    case "input":
    case "output":
      return `${s.kind} ${s.hint}`;
    case "instIn":
    case "instOut":
      return `port ${s.childPort?.hint ?? s.hint} of instance ${s.instance?.hint ?? "?"}`;
    case "reg":
      return `register ${s.hint}`;
    case "memRead":
      return `memory read data ${s.hint}`;
    default:
      return `wire ${s.hint}`;
  }
}

function typeOf(width: number, signed: boolean): string {
  return `${signed ? "SInt" : "UInt"}<${width}>`;
}

class ModuleChecker {
  readonly problems: HdlError[] = [];
  private readonly projections: Map<IrSignal, Projection>;

  constructor(private readonly m: IrModule, private readonly combDeps: Map<IrModule, Map<IrSignal, Set<IrSignal>>>) {
    this.projections = projectAll(m.body);
  }

  private error(loc: SourceLoc, message: string, related: SourceLoc[] = []): void {
    this.problems.push(new HdlError(loc, message, related));
  }

  run(): void {
    this.checkStatements(this.m.body);
    this.checkMemories();
    this.checkRegisters();
    for (const v of this.m.verification) for (const e of [v.cond, v.enable, ...v.args]) this.checkOwnership(e, v.loc);
    this.checkDriven();
    this.checkOverrides(this.m.body);
    this.checkLoops();
    for (const p of checkDomains(this.m, this.projections)) this.error(p.loc, p.message, p.related);
  }

  /** Values used in this module must belong to it. */
  private checkOwnership(e: IrExpr, loc: SourceLoc): void {
    refsOf(e, (s) => {
      if (s.module !== this.m) this.error(loc, `${describe(s)} belongs to module ${s.module.name} and cannot be used in module ${this.m.name}: pass it through a port`);
    });
  }

  private checkStatements(body: readonly IrStmt[]): void {
    forEachStatement(body, (s) => {
      if (s.k === "when") this.checkOwnership(s.cond, s.loc);
      else this.checkConnect(s);
    });
  }

  private checkConnect(s: IrConnect): void {
    const t = s.target;
    this.checkOwnership(s.value, s.loc);
    if (t.module !== this.m) {
      this.error(s.loc, `${describe(t)} belongs to module ${t.module.name} and cannot be driven in module ${this.m.name}`);
      return;
    }
    if (t.kind === "input") this.error(s.loc, `cannot drive ${describe(t)}: inputs are driven from outside the module`);
    else if (t.kind === "instOut") this.error(s.loc, `cannot drive output ${t.childPort?.hint ?? t.hint} of instance ${t.instance?.hint ?? "?"}: it is driven by the instance`);
    else if (t.kind === "memRead") this.error(s.loc, `cannot drive ${describe(t)}: it is written by the memory`);
    const v = s.value;
    if (v.signed !== t.signed) {
      this.error(s.loc, `cannot assign ${typeOf(v.width, v.signed)} to ${typeOf(t.width, t.signed)} ${describe(t)}: convert with .asSInt() or .asUInt()`);
    } else if (v.width > t.width) {
      const lost = v.width - t.width;
      this.error(s.loc, `assigning ${typeOf(v.width, v.signed)} to ${typeOf(t.width, t.signed)} ${describe(t)} would drop ${lost} bit${lost > 1 ? "s" : ""}: truncate explicitly with .trunc(${t.width}) or widen the target`);
    }
  }

  private checkMemories(): void {
    for (const mem of this.m.memories) {
      const addrBits = log2Ceil(mem.depth);
      const checkAddr = (a: IrExpr, loc: SourceLoc): void => {
        this.checkOwnership(a, loc);
        if (a.width > addrBits) {
          this.error(loc, `address of memory ${mem.hint} is ${a.width} bits wide but the memory has ${mem.depth} words (${addrBits} address bits): truncate the address with .trunc(${addrBits})`);
        } else if (a.k === "lit" && a.value >= BigInt(mem.depth)) {
          this.error(loc, `address ${a.value} is beyond the last word of memory ${mem.hint} (${mem.depth} words, 0..${mem.depth - 1})`);
        }
      };
      for (const r of mem.readPorts) {
        checkAddr(r.addr, r.loc);
        if (r.enable) this.checkOwnership(r.enable, r.loc);
      }
      for (const w of mem.writePorts) {
        checkAddr(w.addr, w.loc);
        this.checkOwnership(w.enable, w.loc);
        this.checkOwnership(w.data, w.loc);
        if (w.data.signed !== mem.signed) {
          this.error(w.loc, `cannot write ${typeOf(w.data.width, w.data.signed)} into memory ${mem.hint} of ${typeOf(mem.width, mem.signed)}: convert with .asSInt() or .asUInt()`);
        } else if (w.data.width > mem.width) {
          this.error(w.loc, `writing ${typeOf(w.data.width, w.data.signed)} into memory ${mem.hint} of ${typeOf(mem.width, mem.signed)} would drop ${w.data.width - mem.width} bits: truncate explicitly with .trunc(${mem.width})`);
        }
      }
    }
  }

  private checkRegisters(): void {
    for (const s of this.m.signals) if (s.kind === "reg" && s.enable) this.checkOwnership(s.enable, s.loc);
  }

  /** Outputs, wires and instance inputs must be driven on every path. */
  private checkDriven(): void {
    const mustDrive = [...this.m.ports.filter((p) => p.kind === "output"), ...this.m.signals.filter((s) => s.kind === "wire" || s.kind === "instIn")];
    for (const s of mustDrive) {
      const proj = this.projections.get(s);
      if (!proj) {
        this.error(s.loc, `${describe(s)} of module ${this.m.name} is never driven`);
      } else if (!drivesFully(proj)) {
        const firstWhen = proj.find((x) => x.k === "when");
        this.error(s.loc, `${describe(s)} is not driven on every path (it would be a latch): give it a default before the when at ${formatLoc(firstWhen?.loc ?? s.loc)}`);
      }
    }
  }

  /** An unconditional connection followed by another to the same signal in the same block never takes effect. */
  private checkOverrides(body: readonly IrStmt[]): void {
    forEachBlock(body, (block) => {
      const later = new Map<IrSignal, SourceLoc>();
      for (let i = block.length - 1; i >= 0; i--) {
        const s = block[i]!;
        if (s.k === "when") continue;
        const again = later.get(s.target);
        if (again) {
          this.error(s.loc, `${describe(s.target)} has two drivers: it is driven here and again at ${formatLoc(again)} in the same block, so this connection never takes effect`, [again]);
        } else later.set(s.target, s.loc);
      }
    });
  }

  private readonly reads = new Map<IrSignal, Set<IrSignal>>();

  /** Combinational dependencies of one signal on other combinational signals. */
  combinationalReads(s: IrSignal): Set<IrSignal> {
    let deps = this.reads.get(s);
    if (deps === undefined) {
      deps = this.computeReads(s);
      this.reads.set(s, deps);
    }
    return deps;
  }

  private computeReads(s: IrSignal): Set<IrSignal> {
    const deps = new Set<IrSignal>();
    if (s.kind === "instOut") {
      const inst = s.instance!;
      const through = this.combDeps.get(inst.of)?.get(s.childPort!);
      for (const input of through ?? []) {
        const parentSide = inst.ports.get(input);
        if (parentSide) deps.add(parentSide);
      }
      return deps;
    }
    const proj = this.projections.get(s);
    if (!proj) return deps;
    const seen = new Set<IrExpr>();
    readsOf(proj, (e) =>
      refsOf(e, (r) => {
        if (r.kind !== "reg" && r.kind !== "memRead") deps.add(r);
      }, seen),
    );
    return deps;
  }

  private checkLoops(): void {
    const comb = [...this.m.ports.filter((p) => p.kind === "output"), ...this.m.signals.filter((s) => s.kind === "wire" || s.kind === "instIn" || s.kind === "instOut")];
    const depsOf = new Map<IrSignal, IrSignal[]>();
    for (const s of comb) depsOf.set(s, [...this.combinationalReads(s)].filter((d) => d.kind !== "input"));
    const cycle = findCycle(comb, (s) => depsOf.get(s) ?? []);
    if (!cycle) return;
    // In data-flow order (each signal feeds the next), starting at the earliest declared.
    const flow = [...cycle].reverse();
    const first = flow.reduce((best, x, i) => (x.id < flow[best]!.id ? i : best), 0);
    const ordered = [...flow.slice(first), ...flow.slice(0, first)];
    this.error(ordered[0]!.loc, `combinational loop: ${loopPath(ordered)}`, uniqueLocs(ordered.slice(1)));
  }

  /** For each output port: the input ports it depends on combinationally. */
  summary(): Map<IrSignal, Set<IrSignal>> {
    const inputs = postOrder(
      this.m.ports.filter((p) => p.kind === "output"),
      (s) => [...this.combinationalReads(s)].filter((d) => d.kind !== "input"),
      (s, deps: Set<IrSignal>[]) => {
        const out = new Set<IrSignal>();
        for (const d of this.combinationalReads(s)) if (d.kind === "input" && !isImplicitPort(d)) out.add(d);
        for (const set of deps) for (const i of set) out.add(i);
        return out;
      },
    );
    const result = new Map<IrSignal, Set<IrSignal>>();
    for (const p of this.m.ports) if (p.kind === "output") result.set(p, inputs.get(p)!);
    return result;
  }
}

/** Hops of a loop, `a -> b -> a`; a long loop shows its first and last hops around a count. */
function loopPath(cycle: readonly IrSignal[]): string {
  const names = [...cycle, cycle[0]!].map((x) => x.hint);
  if (names.length <= MAX_LOOP_HOPS) return names.join(" -> ");
  const head = names.slice(0, MAX_LOOP_HOPS - 3);
  const tail = names.slice(-2);
  return `${head.join(" -> ")} -> (${names.length - head.length - tail.length} more) -> ${tail.join(" -> ")}`;
}

const MAX_LOOP_HOPS = 16;

/** Sites of the other hops, each once, at most a few. */
function uniqueLocs(signals: readonly IrSignal[]): SourceLoc[] {
  const seen = new Set<string>();
  const out: SourceLoc[] = [];
  for (const s of signals) {
    const key = formatLoc(s.loc);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s.loc);
    if (out.length === MAX_LOOP_HOPS) break;
  }
  return out;
}

/** Runs every check on the design; throws one HdlCheckError listing all problems. */
export function checkDesign(design: IrDesign): void {
  const problems: HdlError[] = [];
  const combDeps = new Map<IrModule, Map<IrSignal, Set<IrSignal>>>();
  for (const m of design.modules) {
    if (m.blackbox) continue;
    const checker = new ModuleChecker(m, combDeps);
    checker.run();
    problems.push(...checker.problems);
    if (checker.problems.length === 0) combDeps.set(m, checker.summary());
  }
  if (problems.length > 0) throw new HdlCheckError(problems);
}
