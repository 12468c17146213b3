export { synthesize, formatReport, reportFromStat, LUTRAM_SITES } from "./synthesize.js";
export type { ResourceReport, SynthOptions, SynthTarget } from "./synthesize.js";
export { runYosysScript, yosysVersion, YosysError } from "./yosys.js";
export type { YosysProgress, YosysRunOptions, YosysRunResult } from "./yosys.js";
export { loadDesignModule } from "./load.js";
