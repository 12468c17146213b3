/**
 * Simulating elaborated designs from TypeScript: Icarus Verilog and Verilator behind one
 * testbench API (poke / peek / step / batch). Reads only the elaborated design.
 */
export type { ElaboratedDesign, PortInfo } from "../hdl/core/design.js";
export * from "./errors.js";
export { simulate, runBatch } from "./simulate.js";
export { Simulation, clockEdges } from "./simulation.js";
export type { CoverHit } from "./checks.js";
export type { Backend, SimOptions, Stimulus, Sample, BatchOptions } from "./options.js";
export type { PortTable, SimValue, ValueShape } from "./ports.js";
export type { ProbeInfo } from "./probes.js";
export { MAX_NUMBER_WIDTH } from "./ports.js";
export { icarusTestbench } from "./icarus.js";
export { verilatorHarness, buildVerilator } from "./verilator.js";
export type { VerilatorBuild, VerilatorOptions } from "./verilator.js";
export { cacheRoot } from "./build-cache.js";
export * from "./testbench/index.js";
