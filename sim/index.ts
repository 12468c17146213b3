export type { ElaboratedDesign, PortInfo } from "../hdl/core/design.js";
export * from "./errors.js";
export { simulate, runBatch, Simulation } from "./session.js";
export type { Backend, SimOptions, Stimulus, Sample, BatchOptions } from "./session.js";
export type { SimValue } from "./ports.js";
export { MAX_NUMBER_WIDTH } from "./ports.js";
export { icarusTestbench } from "./icarus.js";
export { verilatorHarness, buildVerilator } from "./verilator.js";
export type { VerilatorBuild, VerilatorOptions } from "./verilator.js";
