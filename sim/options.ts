/** The options and value types of the testbench API, shared by both backends. */
import type { SimValue } from "./ports.js";

export type Backend = "iverilog" | "verilator" | "js";

export interface SimOptions {
  /**
   * Simulator: "iverilog" (default, four-state, X detection), "verilator" (fast, two-state) or
   * "js" (the IR compiled to JavaScript inside Node: no install, no build, two-state).
   */
  backend?: Backend;
  /** Write a VCD waveform to this path (directories are created). */
  vcd?: string;
  /** Stop with SimCycleLimitError if more clock cycles than this are requested. Default: no limit. */
  maxCycles?: number;
  /**
   * Wall-time limit in ms for any single wait on the simulator (one peek, one step(n),
   * one whole batch). On expiry the process is killed and SimTimeoutError raised. Default 60000.
   */
  timeoutMs?: number;
  /** Build cache root (default `$SIM_CACHE_DIR`, else the project's `node_modules/.cache/spec2-hdl`). */
  cacheDir?: string;
  /** Extra verilator arguments (Verilator backend only; part of the cache key). */
  verilatorArgs?: readonly string[];
  /**
   * What the Verilator model's C++ is compiled for (Verilator backend only; part of the cache
   * key): "run" (default, Verilator's -Os) or "build" (-O0: the design's C++ compiles in about
   * 60% of the time and runs slower, for short simulations of freshly built designs).
   */
  verilatorOptimize?: "run" | "build";
  /**
   * Run-time arguments `+name=value` for the simulation (both backends), e.g. the file a memory
   * declared with `initPlusarg: "name"` loads at start. Not part of any build cache key.
   */
  plusargs?: Readonly<Record<string, string>>;
  /**
   * Internal signals to watch, by hierarchical path of Verilog names: instance names, then a
   * signal or a memory word (`["q.stored", "q.storage[3]", "pe_0.acc.state"]`; sim/README.md,
   * "What is visible"). Checked against the design's IR before anything is built; peeked by the
   * path like an output, and part of `peekAll` and batch samples. Part of the build cache key.
   */
  probes?: readonly string[];
  /**
   * Report reads of registers and memory words never written (the X cases of Icarus) on the JS
   * backend: "error" raises SimUninitialisedReadError at the first, "report" collects each reader
   * once in `sim.uninitialisedReads()`. Read: an output peeked or sampled, a memory write's
   * address, an assert/assume condition. Icarus accepts "error" (its X check, always on);
   * Verilator neither. Default: off (the JS model is then compiled without the checks).
   */
  checkUninitialised?: "error" | "report";
}

/** One cycle of batch stimulus: input name -> value. Inputs left out keep their previous value. */
export type Stimulus = Readonly<Record<string, SimValue>>;
/** The outputs sampled in one cycle: output name -> value (number up to 53 bits, else bigint). */
export type Sample = Record<string, SimValue>;

export interface BatchOptions {
  /** Cycles with the reset input held high before the stimulus (their outputs are not returned). Default 0. */
  resetCycles?: number;
  /**
   * Apply the first `skip` stimulus cycles without returning (or X-checking) their samples,
   * e.g. to let a register without reset load a first value. Default 0.
   */
  skip?: number;
  /**
   * Outputs that may legitimately be X/Z (Icarus; unknown on the JS backend with `checkUninitialised`), e.g. data while its valid is low:
   * `true` for all outputs, or a list of names. Their X/Z samples are left out of the
   * sample (the key is absent) instead of raising SimXError. Default: none.
   */
  allowX?: boolean | readonly string[];
}

export function xAllowed(allowX: boolean | readonly string[] | undefined, name: string): boolean {
  return allowX === true || (Array.isArray(allowX) && allowX.includes(name));
}
