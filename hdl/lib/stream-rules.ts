/**
 * assertStreamRules(stream, name): the ready/valid rules of a stream with back-pressure, as
 * assertions in the module being built: once `valid` is high while `ready` is low, `valid` stays
 * high and `bits` keep their value until the cycle the word is taken. Checked in every simulation
 * and proved with synth/prove; works on a port of the module or on an instance's port.
 *
 * assumeStreamRules(stream, name): the same rules as assumptions, for a proof whose environment
 * drives a stream into the unit: traces where the producer breaks them are not considered.
 *
 * The two registers behind each check feed only the checks, so synthesis removes them.
 */
import { RegNext, Signal, assert, assume, when } from "../core/index.js";
import { pack } from "./pack.js";

export interface StreamSignals {
  readonly valid: Signal;
  readonly ready: Signal;
  /** A signal, bundle or vector value (its fields are compared together). */
  readonly bits: unknown;
}

export function assertStreamRules(stream: StreamSignals, name: string): void {
  streamRules(stream, name, assert);
}

export function assumeStreamRules(stream: StreamSignals, name: string): void {
  streamRules(stream, name, assume);
}

function streamRules(stream: StreamSignals, name: string, check: (cond: Signal, message: string) => void): void {
  const bits = stream.bits instanceof Signal ? stream.bits.asUInt() : pack(stream.bits);
  const waiting = RegNext(stream.valid.and(stream.ready.not()), { init: 0, name: `${name}_waiting` });
  const offered = RegNext(bits, { name: `${name}_offered` });
  when(waiting, () => {
    check(stream.valid, `${name}: valid stays high until ready`);
    check(bits.eq(offered), `${name}: the word stays unchanged until ready`);
  });
}
