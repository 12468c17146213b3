export { synthesize, formatReport, reportFromStat, LUTRAM_SITES } from "./synthesize";
export type { ResourceReport, SynthOptions, SynthTarget } from "./synthesize";
export { runYosysScript, yosysVersion, YosysError } from "./yosys";
export type { YosysProgress, YosysRunOptions, YosysRunResult } from "./yosys";
export { loadDesignModule } from "./load";
