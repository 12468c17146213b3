/**
 * Errors raised by the simulation backends. Every error is a `SimError`;
 * the subclasses let tests and callers tell the cases apart.
 */

export class SimError extends Error {
  override name = "SimError";
}

/** The simulator executable is not on PATH. */
export class SimToolMissingError extends SimError {
  override name = "SimToolMissingError";
  constructor(
    readonly tool: string,
    readonly installHint: string,
  ) {
    super(`${tool} was not found on PATH; install it with \`${installHint}\``);
  }
}

/** A location in the generated Verilog, with the TypeScript source it came from when known. */
export interface SourceHint {
  /** Line in the design's Verilog (1-based). */
  readonly verilogLine: number;
  /** Text of that Verilog line. */
  readonly verilogText: string;
  /** `file:line` of the TypeScript that produced the line, from a `// file:line` comment. */
  readonly tsLocation?: string;
}

/** The Verilog (or the generated harness) did not compile. */
export class SimCompileError extends SimError {
  override name = "SimCompileError";
  constructor(
    readonly tool: string,
    readonly toolOutput: string,
    readonly hints: readonly SourceHint[],
  ) {
    super(formatCompileMessage(tool, toolOutput, hints));
  }
}

function formatCompileMessage(tool: string, output: string, hints: readonly SourceHint[]): string {
  const lines = [`${tool} failed to compile the design:`, indent(output.trim() || "(no output)")];
  for (const h of hints) {
    const ts = h.tsLocation ? ` (from ${h.tsLocation})` : "";
    lines.push(`  design.v:${h.verilogLine}${ts}: ${h.verilogText.trim()}`);
  }
  return lines.join("\n");
}

/** A peeked port carries X or Z bits (Icarus only; Verilator is two-state). */
export class SimXError extends SimError {
  override name = "SimXError";
  constructor(
    /** The port, or the probe's path. */
    readonly port: string,
    readonly raw: string,
    readonly cycle: number,
    what: "port" | "probe" = "port",
  ) {
    super(
      `${what} "${port}" is X/Z at cycle ${cycle} (value ${raw}); ` +
        `registers without a reset value stay X until reset: call sim.reset() or drive every input`,
    );
  }
}

/** `step()` or a batch run would exceed the session's `maxCycles`. */
export class SimCycleLimitError extends SimError {
  override name = "SimCycleLimitError";
  constructor(
    readonly limit: number,
    readonly requested: number,
  ) {
    super(`cycle limit exceeded: ${requested} cycles requested, maxCycles is ${limit}; the simulator was stopped`);
  }
}

/** The simulator did not answer within `timeoutMs`; its process was killed. */
export class SimTimeoutError extends SimError {
  override name = "SimTimeoutError";
  constructor(
    readonly timeoutMs: number,
    readonly waitingFor: string,
  ) {
    super(`simulator timed out after ${timeoutMs} ms waiting for ${waitingFor}; the process was killed`);
  }
}

/** The simulator process exited or crashed unexpectedly. */
export class SimProcessError extends SimError {
  override name = "SimProcessError";
  constructor(
    readonly tool: string,
    readonly exitCode: number | null,
    readonly signal: string | null,
    readonly stderr: string,
  ) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    super(`${tool} simulator process ${how} unexpectedly${stderr.trim() ? `; its output:\n${indent(stderr.trim())}` : " (no stderr)"}`);
  }
}

/** Wrong use of the API: unknown port, poke of an output, value out of range, closed session. */
export class SimUsageError extends SimError {
  override name = "SimUsageError";
}

/** A probe path that names nothing visible in the design's IR (raised before anything is built). */
export class SimProbeError extends SimUsageError {
  override name = "SimProbeError";
  constructor(
    readonly path: string,
    readonly reason: string,
    /** The closest names where the path went wrong (instances end in ".", memories in "[i]"). */
    readonly nearest: readonly string[],
  ) {
    super(`probe "${path}": ${reason}${nearest.length > 0 ? `; nearest: ${nearest.join(", ")}` : ""}`);
  }
}

export function indent(text: string, prefix = "  "): string {
  return text
    .split("\n")
    .map((l) => prefix + l)
    .join("\n");
}

/** An `assert` (or `assume`) of the design failed in simulation; the simulator was stopped. */
export class SimAssertionError extends SimError {
  override name = "SimAssertionError";
  constructor(
    readonly kind: "assert" | "assume",
    /** The user's `file:line` of the statement. */
    readonly site: string,
    readonly assertion: string,
    /** The cycle whose values broke it (the `sim.cycle` a peek of them would have seen). */
    readonly cycle: number,
    /** The instance path the simulator reports. */
    readonly instance: string,
  ) {
    super(`${site}: ${kind === "assert" ? "assertion" : "assumption"} failed at cycle ${cycle}: ${assertion} (in ${instance})`);
  }
}

/** One read of an uninitialised value, as `sim.uninitialisedReads()` lists it (`checkUninitialised: "report"`). */
export interface UninitialisedRead {
  readonly reader: string;
  readonly cycle: number;
  readonly source: string;
  readonly site: string;
}

/**
 * With `checkUninitialised: "error"` (JS backend): a value that depends on a register, read port
 * or memory word never written was read where it matters (an output peeked or sampled, a memory
 * write's address, an assertion's condition).
 */
export class SimUninitialisedReadError extends SimError {
  override name = "SimUninitialisedReadError";
  constructor(
    /** What read it: `output "q"`, `the write address of memory Top.ram (file:line)`, `the assertion at file:line (in Top)`. */
    readonly reader: string,
    /** The cycle whose values were read (as `sim.cycle` counts). */
    readonly cycle: number,
    /** The never-written origin: `register Top.r`, `read port Top.q`, `word 5 of memory Top.ram`. */
    readonly source: string,
    /** The user's `file:line` where that register or memory is declared. */
    readonly site: string,
  ) {
    super(`${reader} is uninitialised at cycle ${cycle}: it depends on ${source} (${site}), never written`);
  }
}
