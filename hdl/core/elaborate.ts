/**
 * elaborate(): runs a module generator, checks the IR, names everything and
 * emits Verilog. The result is what simulators and synthesis consume.
 */
import { checkDesign } from "./checks.js";
import { implicitPortOf } from "./clock.js";
import type { ElaboratedDesign, PortInfo, VerificationInfo } from "./design.js";
import { emitVerilog } from "./emit-verilog.js";
import type { IrDesign, IrModule } from "./ir.js";
import { HdlError } from "./errors.js";
import { ElaborationState, elaborateModule, isStackOverflow, withElaborationState, type ModuleDef, type ParamArgs } from "./module.js";
import { assignNames, type Namer } from "./names.js";
import { formatLoc, userLocation, type SourceLoc } from "./source.js";

export interface Elaboration<IO = unknown> extends ElaboratedDesign {
  /** The checked IR, for other backends. */
  readonly ir: IrDesign;
  /** The ports the top module's body returned (its Vars, bundles and vectors), for typed testbench handles. */
  readonly io: IO;
}

/** Elaborates `def` with `params` as the top module. Throws HdlError/HdlCheckError on a design error. */
export function elaborate<P, IO>(def: ModuleDef<P, IO>, ...args: ParamArgs<P>): Elaboration<IO> {
  const params = args[0] as P;
  const state = new ElaborationState();
  const site = userLocation();
  let top: IrModule;
  let io: IO;
  try {
    const built = withElaborationState(state, () => elaborateModule(def, params, site));
    top = built.module;
    io = built.io as IO;
  } catch (e) {
    throw isStackOverflow(e) ? outOfStack(state, site) : e;
  }
  const ir: IrDesign = { top, modules: state.order };
  checkDesign(ir);
  const namers = new Map<IrModule, Namer>();
  for (const m of ir.modules) if (!m.blackbox) namers.set(m, assignNames(m));
  const verification = numberVerification(ir);
  const { verilog, files } = emitVerilog(ir, namers);
  const ports: PortInfo[] = top.ports.map((p) => ({ name: p.name, direction: p.kind === "input" ? "input" : "output", width: p.width, signed: p.signed }));
  const clocked = new Set(top.domains.map((d) => d.clock));
  const domainClocks = top.ports.filter((p) => p.kind === "input" && clocked.has(p)).map((p) => p.name);
  return {
    top: top.name,
    verilog,
    ports,
    ir,
    io,
    ...(top.hasClock ? { clock: implicitPortOf(top, "clock")?.name ?? "clock" } : {}),
    ...(top.hasReset ? { reset: implicitPortOf(top, "reset")?.name ?? "reset" } : {}),
    ...(domainClocks.length > 0 ? { domainClocks } : {}),
    ...(files.size > 0 ? { files: Object.fromEntries(files) } : {}),
    ...(verification.length > 0 ? { verification } : {}),
  };
}

/** Numbers every verification statement of the design (modules children first, then program order). */
function numberVerification(ir: IrDesign): VerificationInfo[] {
  const out: VerificationInfo[] = [];
  for (const m of ir.modules) {
    for (const v of m.verification) {
      v.index = out.length;
      out.push({ index: v.index, kind: v.k, message: v.message, site: formatLoc(v.loc), module: m.name });
    }
  }
  return out;
}

/** The design's own code recursed deeper than the call stack allows: say where, and what to do. */
function outOfStack(state: ElaborationState, site: SourceLoc): HdlError {
  const path = state.overflow ?? [];
  const inner = path[path.length - 1];
  const where = inner ? ` while building module ${inner.name} (${path.map((b) => b.name).join(" -> ")})` : "";
  return new HdlError(
    inner?.site ?? site,
    `elaboration ran out of call stack${where}: the generator code nests too deep (a \`when\` or a module hierarchy thousands of levels deep); ` +
      "flatten it (a loop, switchOn or a mux chain), or give Node a larger stack with node --stack-size=N",
  );
}

/** The Verilog text of `def` with `params`. */
export function emit<P, IO>(def: ModuleDef<P, IO>, ...args: ParamArgs<P>): string {
  return elaborate(def, ...args).verilog;
}
