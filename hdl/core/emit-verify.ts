/**
 * Verilog of a module's assert / assume / cover / printf statements (hdl/core/verify.ts), in two
 * guarded blocks per clock domain that synthesis never reads:
 *
 * - `ifndef SYNTHESIS` (Icarus, Verilator): at each rising edge outside reset, a failed assert or
 *   assume prints `@A <index> <cycle> <instance>`, a cover reached for the first time prints
 *   `@C <index> <cycle> <instance>`, a printf prints its line. `<cycle>` counts the domain's
 *   edges before this one, which is the testbench's cycle number of the values checked.
 * - `ifdef FORMAL` (Yosys `read_verilog -formal`): per statement a wire `check_<index>_ok` (1 while
 *   it holds or does not apply) or `cover_<index>_now` (1 when reached), and immediate `assert`,
 *   `assume` and `cover` statements on them, each line ending in `// check <index>: file:line`.
 */
import type { ExprWriter } from "./emit-expr.js";
import type { IrDomain, IrExpr, IrModule, IrVerification } from "./ir.js";
import type { Namer } from "./names.js";
import { formatLoc } from "./source.js";
import { IND } from "./verilog-text.js";

/** The clock and reset (with its active level) of a domain, as the module emitter resolves them. */
export interface DomainSignals {
  readonly clock: string;
  /** "" when the domain has no reset. */
  readonly reset: string;
  readonly activeLow: boolean;
}

export function countVerification(m: IrModule, w: ExprWriter): void {
  for (const v of m.verification) for (const e of exprsOf(v)) w.count(e);
}

export function prepareVerification(m: IrModule, w: ExprWriter): void {
  for (const v of m.verification) {
    w.prepareRhs(v.cond, 1);
    w.prepareRhs(v.enable, 1);
    for (const a of v.args) w.prepareRhs(a, a.width);
  }
}

function exprsOf(v: IrVerification): IrExpr[] {
  return [v.cond, v.enable, ...v.args];
}

const isTrue = (e: IrExpr): boolean => e.k === "lit" && e.value === 1n;

/** Statements grouped by clock domain, in program order. */
function byDomain(m: IrModule): Map<IrDomain | undefined, IrVerification[]> {
  const groups = new Map<IrDomain | undefined, IrVerification[]>();
  for (const v of m.verification) {
    const g = groups.get(v.domain) ?? [];
    g.push(v);
    groups.set(v.domain, g);
  }
  return groups;
}

export function verificationLogic(m: IrModule, w: ExprWriter, namer: Namer, domainOf: (d: IrDomain | undefined) => DomainSignals): string[] {
  if (m.verification.length === 0) return [];
  const sim: string[] = ["`ifndef SYNTHESIS"];
  const formal: string[] = ["`ifdef FORMAL"];
  for (const [domain, list] of byDomain(m)) {
    const d = domainOf(domain);
    const outOfReset = d.reset === "" ? undefined : d.activeLow ? d.reset : `!${d.reset}`;
    appendSim(sim, list, w, namer, d.clock, outOfReset);
    appendFormal(formal, list, w, namer, outOfReset);
  }
  sim.push("`endif");
  formal.push("`endif");
  return [...sim, ...formal];
}

function appendSim(out: string[], list: readonly IrVerification[], w: ExprWriter, namer: Namer, clock: string, outOfReset: string | undefined): void {
  const cycle = namer.claim("sim_cycle");
  const covers = list.filter((v) => v.k === "cover").map((v) => ({ v, hit: namer.claim(`cover_${v.index}_hit`) }));
  out.push(`${IND}integer ${cycle} = 0;`);
  for (const c of covers) out.push(`${IND}reg ${c.hit} = 1'b0;`);
  out.push(`${IND}always @(posedge ${clock}) begin`, `${IND}${IND}${cycle} <= ${cycle} + 1;`);
  const pad = outOfReset ? IND.repeat(3) : IND.repeat(2);
  if (outOfReset) out.push(`${IND}${IND}if (${outOfReset}) begin`);
  for (const v of list) {
    const en = isTrue(v.enable) ? "" : `${w.rhs(v.enable, 1)} && `;
    const where = ` // ${formatLoc(v.loc)}`;
    const cond = w.rhs(v.cond, 1);
    if (v.k === "assert" || v.k === "assume") {
      out.push(`${pad}if (${en}!(${cond})) $display("@A ${v.index} %0d %m", ${cycle});${where}`);
    } else if (v.k === "cover") {
      const hit = covers.find((c) => c.v === v)!.hit;
      out.push(`${pad}if (${en}(${cond}) && !${hit}) begin${where}`);
      out.push(`${pad}${IND}$display("@C ${v.index} %0d %m", ${cycle});`, `${pad}${IND}${hit} <= 1'b1;`, `${pad}end`);
    } else {
      const args = v.args.map((a) => (a.signed ? `$signed(${w.rhs(a, a.width)})` : w.rhs(a, a.width)));
      const call = `$display(${[JSON.stringify(verilogFormat(v.message)), ...args].join(", ")});`;
      out.push(isTrue(v.enable) ? `${pad}${call}${where}` : `${pad}if (${w.rhs(v.enable, 1)}) ${call}${where}`);
    }
  }
  if (outOfReset) out.push(`${IND}${IND}end`);
  out.push(`${IND}end`);
}

function appendFormal(out: string[], list: readonly IrVerification[], w: ExprWriter, namer: Namer, outOfReset: string | undefined): void {
  const checked = list.filter((v) => v.k !== "printf");
  if (checked.length === 0) return;
  // one named wire per statement (1: holds / not reached), so a counterexample shows which one failed
  const wires = checked.map((v) => {
    const parts = [outOfReset, isTrue(v.enable) ? undefined : w.rhs(v.enable, 1)].filter((x) => x !== undefined);
    const cond = w.rhs(v.cond, 1);
    if (v.k === "cover") return { v, name: namer.claim(`cover_${v.index}_now`), text: [...parts, `(${cond})`].join(" && ") };
    const negated = parts.map((x) => (/^![A-Za-z_][A-Za-z0-9_]*$/.test(x) ? x.slice(1) : `!(${x})`));
    const guard = negated.length === 0 ? "" : `${negated.join(" || ")} || `;
    return { v, name: namer.claim(`check_${v.index}_ok`), text: `${guard}(${cond})` };
  });
  for (const x of wires) out.push(`${IND}wire ${x.name} = ${x.text};`);
  out.push(`${IND}always @(*) begin`);
  for (const x of wires) out.push(`${IND}${IND}${x.v.k} (${x.name}); // check ${x.v.index}: ${formatLoc(x.v.loc)}`);
  out.push(`${IND}end`);
}

/** The user's printf format in `$display` form: `%d` -> `%0d`, `%x` -> `%0h`, `%b` -> `%0b`; `%c` and `%%` stay. */
export function verilogFormat(format: string): string {
  return format.replace(/%(.)/g, (_, c: string) => (c === "d" ? "%0d" : c === "x" ? "%0h" : c === "b" ? "%0b" : `%${c}`));
}
