/** Errors of the testbench layer; all are `SimError`s, like the backends' own. */
import { SimError } from "../errors.js";

/** `expect` found another value: names the port, both values and the cycle. */
export class TestbenchExpectError extends SimError {
  override name = "TestbenchExpectError";
  constructor(
    /** The port as the testbench names it (`deq.bits`), with its Verilog name when that differs. */
    readonly port: string,
    /** A bigint for one port; the JSON text of a group's values (a bundle stream's words). */
    readonly expected: bigint | string,
    readonly actual: bigint | string,
    readonly cycle: number,
    note?: string,
  ) {
    super(`${port}: expected ${expected}, got ${actual} at cycle ${cycle}${note ? ` (${note})` : ""}`);
  }
}

/** `waitUntil` (or a stream driver waiting for its handshake) ran out of cycles. */
export class TestbenchTimeoutError extends SimError {
  override name = "TestbenchTimeoutError";
  constructor(
    readonly what: string,
    readonly timeoutCycles: number,
    readonly cycle: number,
  ) {
    super(`${what} did not happen within ${timeoutCycles} cycles (gave up at cycle ${cycle})`);
  }
}

/** The clock would pass the testbench's cycle limit: a hung testbench, or a limit set too low. */
export class TestbenchCycleLimitError extends SimError {
  override name = "TestbenchCycleLimitError";
  constructor(
    readonly limit: number,
    readonly waiting: readonly string[],
  ) {
    const what = waiting.length > 0 ? `; still waiting: ${waiting.join(", ")}` : "";
    super(`testbench cycle limit reached: ${limit} cycles (raise it with the maxCycles option)${what}`);
  }
}
