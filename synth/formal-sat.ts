/**
 * The `sat` engine of prove(): Yosys's own SAT solver (`sat -seq` for bounded checks,
 * `sat -tempinduct` for BMC plus induction), in-process through @yowasp/yosys or with a native
 * yosys, so it needs no native install. Reset is held in the first step (`-set-at 1`); each
 * statement's `check_<index>_ok` wire (hdl/core/emit-verify.ts) shows in the trace which
 * assertion failed first. Covers need the smtbmc engine.
 */
import type { ElaboratedDesign, VerificationInfo } from "../hdl/core/design.js";
import { formatTrace, traceRowsFromSteps, type TraceRow } from "./counterexample.js";
import { FORMAL_TOP, formalWrapper } from "./formal-files.js";
import { readSatSteps } from "./vcd.js";
import { runYosysScript } from "./yosys.js";
import { ProveError } from "./prove-error.js";

export interface SatVerdict {
  readonly status: "proved" | "failed" | "unknown";
  /** failed: the first failing step and check; the trace's VCD text and rows. */
  readonly step?: number;
  readonly check?: VerificationInfo;
  readonly vcd?: string;
  readonly rows?: readonly TraceRow[];
  readonly table?: string;
}

function script(design: ElaboratedDesign, mode: "bmc" | "prove", depth: number): string {
  const reset = design.reset !== undefined ? ` -set-at 1 ${design.reset} 1` : "";
  const run = mode === "bmc" ? `-seq ${depth}` : `-tempinduct -maxsteps ${depth}`;
  return [
    "read_verilog -formal -DSYNTHESIS design.v",
    "read_verilog -formal wrapper.v",
    `prep -flatten -top ${FORMAL_TOP}`,
    "memory_map",
    // -keepdc: a register without init that only holds its value stays a free constant (plain
    // opt would make it a constant x, which the solver then fixes)
    "opt -fast -keepdc",
    "async2sync",
    "dffunmap",
    "chformal -cover -remove",
    "opt_clean",
    // the verdict comes before a long model printout: keep the whole output of sat in a file
    `tee -q -o sat.log sat ${run} -prove-asserts -set-assumes${reset} -show-ports -show-public -dump_vcd trace.vcd ${FORMAL_TOP}`,
  ].join("\n");
}

export async function satProve(design: ElaboratedDesign, mode: "bmc" | "prove", depth: number, native: boolean, timeoutMs: number): Promise<SatVerdict> {
  // trace.vcd starts empty: sat writes it only with a counterexample
  const inputs: Record<string, string> = { "design.v": design.verilog, "wrapper.v": formalWrapper(design), "trace.vcd": "", ...(design.files ?? {}) };
  let r: Awaited<ReturnType<typeof runYosysScript>>;
  try {
    r = await runYosysScript(inputs, script(design, mode, depth), ["trace.vcd", "sat.log"], { native, timeoutMs });
  } catch (e) {
    throw new ProveError(`yosys (sat engine) failed on ${design.top}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const log = r.files["sat.log"] ?? "";
  if (/Induction step proven: SUCCESS!|SAT proof finished - no model found: SUCCESS!/.test(log)) return { status: "proved" };
  if (/model found for base case: FAIL!|SAT proof finished - model found: FAIL!/.test(log)) {
    const vcd = r.files["trace.vcd"] ?? "";
    const steps = readSatSteps(vcd);
    const failing = firstFailure(steps);
    const check = failing ? design.verification?.[failing.index] : undefined;
    const rows = traceRowsFromSteps(steps, design.ports, design.clock).filter((row) => failing === undefined || row.step <= failing.step);
    const step = failing?.step ?? rows.length - 1;
    const table = formatTrace(rows, { step, note: `assertion fails: ${check?.message ?? "?"}` });
    return { status: "failed", step, vcd, rows, table, ...(check ? { check } : {}) };
  }
  return { status: "unknown" };
}

/** The first step at which some `check_<index>_ok` wire is 0. */
function firstFailure(steps: ReturnType<typeof readSatSteps>): { step: number; index: number } | undefined {
  for (let step = 0; step < steps.steps.length; step++) {
    for (const [name, bits] of steps.steps[step]!) {
      const m = /(?:^|\.)check_(\d+)_ok$/.exec(name);
      if (m && bits === "0") return { step, index: Number(m[1]) };
    }
  }
  return undefined;
}
