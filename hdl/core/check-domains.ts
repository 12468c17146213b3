/**
 * The clock-domain crossing check of one module: a register (or a memory port) of one clock
 * domain must not read, directly or through combinational logic, a register or synchronously
 * read memory word of another domain. A value from another domain enters through an instance
 * (a Synchronizer or AsyncFifo of hdl/lib), whose outputs this check does not look behind.
 * Asynchronous memory reads are not followed either: reading a memory written in another domain
 * is safe only under a protocol (an asynchronous FIFO's Gray-coded pointers) that no check here
 * can see, so it is left to the designer.
 */
import type { IrDomain, IrExpr, IrModule, IrSignal } from "./ir.js";
import { readsOf, refsOf, type Projection } from "./project.js";
import { formatLoc, type SourceLoc } from "./source.js";

export interface CrossingProblem {
  readonly loc: SourceLoc;
  readonly message: string;
  readonly related: SourceLoc[];
}

const domainName = (m: IrModule, d: IrDomain | undefined): string => (d ? d.name : `the implicit clock of ${m.name}`);

/** Registers and synchronous read ports a signal's value comes from, combinationally, memoised. */
class Sources {
  private readonly memo = new Map<IrSignal, Set<IrSignal>>();

  constructor(
    private readonly projections: Map<IrSignal, Projection>,
    private readonly stateful: (s: IrSignal) => boolean,
  ) {}

  /** The state elements `e` reads through wires, outputs and instance inputs. */
  ofExpr(e: IrExpr): Set<IrSignal> {
    const out = new Set<IrSignal>();
    refsOf(e, (s) => {
      if (this.stateful(s)) out.add(s);
      else for (const x of this.ofSignal(s)) out.add(x);
    });
    return out;
  }

  private ofSignal(s: IrSignal): Set<IrSignal> {
    const hit = this.memo.get(s);
    if (hit) return hit;
    const out = new Set<IrSignal>();
    this.memo.set(s, out); // a combinational loop is reported by the loop check
    const proj = this.projections.get(s);
    if (proj && (s.kind === "wire" || s.kind === "output" || s.kind === "instIn")) readsOf(proj, (e) => this.ofExpr(e).forEach((x) => out.add(x)));
    return out;
  }
}

export function checkDomains(m: IrModule, projections: Map<IrSignal, Projection>): CrossingProblem[] {
  const portDomain = new Map<IrSignal, IrDomain | undefined>();
  for (const mem of m.memories) for (const r of mem.readPorts) if (r.kind === "sync") portDomain.set(r.data!, r.domain);
  const domainOf = (s: IrSignal): IrDomain | undefined => (s.kind === "reg" ? s.domain : portDomain.get(s));
  const stateful = (s: IrSignal): boolean => s.kind === "reg" || portDomain.has(s);
  const used = new Set<IrDomain | undefined>([...m.signals.filter((s) => s.kind === "reg").map((s) => s.domain), ...portDomain.values()]);
  if (used.size <= 1) return [];
  const sources = new Sources(projections, stateful);
  const problems: CrossingProblem[] = [];
  const check = (what: string, loc: SourceLoc, domain: IrDomain | undefined, exprs: readonly IrExpr[]): void => {
    for (const e of exprs) {
      for (const src of sources.ofExpr(e)) {
        const d = domainOf(src);
        if (d === domain) continue;
        problems.push({
          loc,
          message: `${what} (clock domain ${domainName(m, domain)}) reads ${src.kind === "reg" ? "register" : "memory read"} ${src.hint} of clock domain ${domainName(m, d)} (${formatLoc(src.loc)}) directly: pass it through a Synchronizer or an AsyncFifo (hdl/lib)`,
          related: [src.loc],
        });
        return; // one report per sink
      }
    }
  };
  for (const s of m.signals) {
    if (s.kind !== "reg") continue;
    const exprs: IrExpr[] = [];
    readsOf(projections.get(s) ?? [], (e) => exprs.push(e));
    if (s.enable) exprs.push(s.enable);
    check(`register ${s.hint}`, s.loc, s.domain, exprs);
  }
  for (const mem of m.memories) {
    for (const w of mem.writePorts) check(`a write port of memory ${mem.hint}`, w.loc, w.domain, [w.addr, w.data, w.enable]);
    for (const r of mem.readPorts) if (r.kind === "sync") check(`a read port of memory ${mem.hint}`, r.loc, r.domain, [r.addr, ...(r.enable ? [r.enable] : [])]);
  }
  return problems;
}
