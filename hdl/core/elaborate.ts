/**
 * elaborate(): runs a module generator, checks the IR, names everything and
 * emits Verilog. The result is what simulators and synthesis consume.
 */
import { checkDesign } from "./checks";
import type { ElaboratedDesign, PortInfo } from "./design";
import { emitVerilog } from "./emit-verilog";
import type { IrDesign, IrModule } from "./ir";
import { ElaborationState, elaborateModule, withElaborationState, type ModuleDef, type ParamArgs } from "./module";
import { assignNames, type Namer } from "./names";
import { userLocation } from "./source";

export interface Elaboration extends ElaboratedDesign {
  /** The checked IR, for other backends. */
  readonly ir: IrDesign;
}

/** Elaborates `def` with `params` as the top module. Throws HdlError/HdlCheckError on a design error. */
export function elaborate<P, IO>(def: ModuleDef<P, IO>, ...args: ParamArgs<P>): Elaboration {
  const params = args[0] as P;
  const state = new ElaborationState();
  const top = withElaborationState(state, () => elaborateModule(def, params, userLocation())).module;
  const ir: IrDesign = { top, modules: state.order };
  checkDesign(ir);
  const namers = new Map<IrModule, Namer>();
  for (const m of ir.modules) if (!m.blackbox) namers.set(m, assignNames(m));
  const verilog = emitVerilog(ir, namers);
  const ports: PortInfo[] = top.ports.map((p) => ({ name: p.name, direction: p.kind === "input" ? "input" : "output", width: p.width, signed: p.signed }));
  return {
    top: top.name,
    verilog,
    ports,
    ir,
    ...(top.hasClock ? { clock: "clock" } : {}),
    ...(top.hasReset ? { reset: "reset" } : {}),
  };
}

/** The Verilog text of `def` with `params`. */
export function emit<P, IO>(def: ModuleDef<P, IO>, ...args: ParamArgs<P>): string {
  return elaborate(def, ...args).verilog;
}
