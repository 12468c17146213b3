/** Synthesis reports through Yosys (native or @yowasp/yosys): resources of an elaborated design or of Verilog. */
export { synthesize, formatReport, reportFromStat, LUTRAM_SITES } from "./synthesize.js";
export type { ResourceReport, SynthOptions, SynthTarget } from "./synthesize.js";
export { runYosysScript, yosysVersion, YosysError } from "./yosys.js";
export type { YosysProgress, YosysRunOptions, YosysRunResult } from "./yosys.js";
export { DesignModuleError, loadDesignModule } from "./load.js";
export { prove, proveDesign, ProveError, ProveToolMissingError } from "./formal.js";
export type { CoverResult, ProveEngine, ProveMode, ProveOptions, ProveResult, Solver, Trace } from "./formal.js";
export type { TraceRow } from "./counterexample.js";
