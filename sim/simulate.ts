/** Starting simulations: compile (or take from the build cache) for the chosen backend, then connect. */
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { ElaboratedDesign } from "../hdl/core/design.js";
import { SimUsageError } from "./errors.js";
import { prepareIcarus } from "./icarus.js";
import { JsSimulation } from "./js/js-simulation.js";
import { compileDesign } from "./js/model.js";
import type { Launch } from "./launch.js";
import type { BatchOptions, Sample, SimOptions, Stimulus } from "./options.js";
import { portTable } from "./ports.js";
import { resolveProbes } from "./probes.js";
import { Simulation } from "./simulation.js";
import { prepareVerilator } from "./verilator.js";

/** Compile (or reuse from the cache) and start a simulation of `design`. */
export async function simulate(design: ElaboratedDesign, opts: SimOptions = {}): Promise<Simulation> {
  const backend = opts.backend ?? "iverilog";
  const table = portTable(design, resolveProbes(design, opts.probes));
  checkUninitialisedOption(backend, opts.checkUninitialised);
  if (backend === "js") {
    const compiled = compileDesign(design, { checkUninitialised: opts.checkUninitialised !== undefined });
    const sim = new JsSimulation(design, table, compiled, opts);
    await sim.ready();
    return sim;
  }
  const cache = opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {};
  let launch: Launch;
  if (backend === "iverilog") launch = await prepareIcarus(table, cache);
  else if (backend === "verilator") {
    launch = await prepareVerilator(table, {
      ...cache,
      trace: opts.vcd !== undefined,
      ...(opts.verilatorArgs !== undefined ? { verilatorArgs: opts.verilatorArgs } : {}),
      ...(opts.verilatorOptimize !== undefined ? { optimize: opts.verilatorOptimize } : {}),
    });
  } else throw new SimUsageError(`unknown backend "${String(backend)}": use "iverilog", "verilator" or "js"`);
  if (opts.vcd !== undefined) await mkdir(dirname(resolve(opts.vcd)), { recursive: true });
  const sim = new Simulation(design, table, launch, backend, opts);
  await sim.ready();
  return sim;
}

/**
 * `checkUninitialised` is the JS backend's; Icarus takes "error" as what it always does (X on a
 * peeked or sampled output raises SimXError); Verilator, two-state, cannot check.
 */
function checkUninitialisedOption(backend: SimOptions["backend"], mode: SimOptions["checkUninitialised"]): void {
  if (mode === undefined) return;
  if (mode !== "error" && mode !== "report") throw new SimUsageError(`checkUninitialised: expected "error" or "report", got ${JSON.stringify(mode)}`);
  if (backend === "verilator") throw new SimUsageError('checkUninitialised: backend "verilator" is two-state and cannot report uninitialised reads: use "js" (or "iverilog", which raises SimXError on X outputs)');
  if ((backend ?? "iverilog") === "iverilog" && mode === "report") throw new SimUsageError('checkUninitialised: "report" is for backend "js"; Icarus raises SimXError on X outputs (checkUninitialised: "error", its default)');
}

/** Start a simulation, run `stimulus` as one batch, close it, and return the per-cycle samples. */
export async function runBatch(
  design: ElaboratedDesign,
  stimulus: readonly Stimulus[],
  opts: SimOptions & BatchOptions = {},
): Promise<Sample[]> {
  const sim = await simulate(design, opts);
  try {
    return await sim.batch(stimulus, opts);
  } finally {
    await sim.close().catch(() => undefined);
  }
}
