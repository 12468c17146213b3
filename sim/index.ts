export type { ElaboratedDesign, PortInfo } from "../hdl/core/design";
export * from "./errors";
export { simulate, runBatch, Simulation } from "./session";
export type { Backend, SimOptions, Stimulus, Sample, BatchOptions } from "./session";
export type { SimValue } from "./ports";
export { MAX_NUMBER_WIDTH } from "./ports";
export { icarusTestbench } from "./icarus";
export { verilatorHarness, buildVerilator } from "./verilator";
export type { VerilatorBuild, VerilatorOptions } from "./verilator";
