/** The testbench layer: typed handles, concurrent processes on one clock, stream drivers and monitors. */
export { Clock, DEFAULT_MAX_CYCLES, Testbench, testbench } from "./testbench.js";
export type { TestbenchOptions, WaitOptions } from "./testbench.js";
export { PortHandle } from "./handles.js";
export { ProbeHandle } from "./probes.js";
export type { BundleHandle, Expected, Handle, PortPattern, PortValues, VecHandle } from "./handles.js";
export type { Process } from "./scheduler.js";
export { DecoupledDriver, DecoupledMonitor, DecoupledSink } from "./decoupled.js";
export type { StreamHandle, StreamOptions, Transfer } from "./decoupled.js";
export { TestbenchCycleLimitError, TestbenchExpectError, TestbenchTimeoutError } from "./errors.js";
