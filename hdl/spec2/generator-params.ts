/**
 * Parameter checks of the spec2 generators that test several requirements at once: one HdlError
 * at the site that instantiated the generator (`file:line: Generator: what is wrong: how to fix`),
 * listing every failed requirement (hdl/core requireParam).
 */
import { log2Ceil, requireParam } from "../core";

/** A requirement on the parameters: holds, and the message (what is wrong: how to fix) if not. */
export type Requirement = readonly [holds: boolean, message: string];

/** Inside a generator body: stops the elaboration if any requirement does not hold, naming them all. */
export function checkParams(requirements: readonly Requirement[]): void {
  const failed = requirements.filter(([holds]) => !holds).map(([, message]) => message);
  requireParam(failed.length === 0, failed.join("; "));
}

/** True if `v` is an integer in lo..hi. */
export function isIntIn(v: number, lo: number, hi: number): boolean {
  return Number.isInteger(v) && v >= lo && v <= hi;
}

/** Bits of an unsigned register that holds 0..max (at least 1). */
export function bitsFor(max: number): number {
  return Math.max(1, log2Ceil(max + 1));
}

/** Bits of a signed value holding every integer in min..max. */
export function signedBitsFor(min: number, max: number): number {
  return Math.max(bitsFor(Math.max(max, -min - 1)) + 1, 2);
}
