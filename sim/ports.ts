import type { ElaboratedDesign, PortInfo } from "../hdl/core/design.js";
import { SimUsageError } from "./errors.js";
import type { ProbeInfo } from "./probes.js";

/** A value as seen from TypeScript: a number for ports up to 53 bits, else a bigint. */
export type SimValue = number | bigint;

/** Largest width whose values are returned as `number` by `peekValue`. */
export const MAX_NUMBER_WIDTH = 53;

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** What decoding a value needs: its width and signedness (a port's, or a probe's). */
export type ValueShape = Pick<PortInfo, "width" | "signed">;

/**
 * The port table shared by the testbench generators and the TypeScript driver.
 * `inputs` are the pokeable inputs (every input but the clock), `ports` every port;
 * protocol indices are positions in these arrays, and probe `k` is peeked as `ports.length + k`
 * (batch lines give the outputs, then the probes).
 */
export interface PortTable {
  readonly design: ElaboratedDesign;
  readonly clock: string | undefined;
  readonly ports: readonly PortInfo[];
  readonly inputs: readonly PortInfo[];
  readonly outputs: readonly PortInfo[];
  readonly portIndex: ReadonlyMap<string, number>;
  readonly inputIndex: ReadonlyMap<string, number>;
  /** Internal signals watched (`SimOptions.probes`, resolved by `resolveProbes`). */
  readonly probes: readonly ProbeInfo[];
  readonly probeIndex: ReadonlyMap<string, number>;
}

export function portTable(design: ElaboratedDesign, probes: readonly ProbeInfo[] = []): PortTable {
  if (!IDENT.test(design.top)) throw new SimUsageError(`top module name "${design.top}" is not a plain Verilog identifier`);
  const seen = new Set<string>();
  for (const p of design.ports) {
    if (!IDENT.test(p.name)) throw new SimUsageError(`port name "${p.name}" is not a plain Verilog identifier`);
    if (seen.has(p.name)) throw new SimUsageError(`port "${p.name}" is listed twice`);
    if (!Number.isInteger(p.width) || p.width < 1) throw new SimUsageError(`port "${p.name}" has invalid width ${p.width}`);
    seen.add(p.name);
  }
  const clock = design.clock;
  if (clock !== undefined) {
    const c = design.ports.find((p) => p.name === clock);
    if (!c || c.direction !== "input" || c.width !== 1) {
      throw new SimUsageError(`clock "${clock}" must be a 1-bit input port of ${design.top}`);
    }
  }
  if (design.reset !== undefined && !design.ports.some((p) => p.name === design.reset && p.direction === "input")) {
    throw new SimUsageError(`reset "${design.reset}" must be an input port of ${design.top}`);
  }
  const ports = design.ports;
  const inputs = ports.filter((p) => p.direction === "input" && p.name !== clock);
  const outputs = ports.filter((p) => p.direction === "output");
  return {
    design,
    clock,
    ports,
    inputs,
    outputs,
    portIndex: new Map(ports.map((p, i) => [p.name, i])),
    inputIndex: new Map(inputs.map((p, i) => [p.name, i])),
    probes,
    probeIndex: new Map(probes.map((p, i) => [p.name, i])),
  };
}

/** Number of hex digits used for a port of this width. */
export function hexDigits(width: number): number {
  return Math.ceil(width / 4);
}

/**
 * Convert a value for a port to its bit pattern as a hex string (no prefix).
 * Unsigned ports accept 0 .. 2^w-1; signed ports accept -2^(w-1) .. 2^w-1
 * (negative values in two's complement, non-negative ones as raw bits).
 */
export function encodeValue(port: PortInfo, value: SimValue): string {
  // Fast path: small ports and in-range numbers stay in floating point.
  if (typeof value === "number" && port.width <= MAX_NUMBER_WIDTH - 1 && Number.isSafeInteger(value)) {
    const span = 2 ** port.width;
    if (value >= 0 && value < span) return value.toString(16);
    if (port.signed && value < 0 && value >= -(span / 2)) return (value + span).toString(16);
  }
  let v: bigint;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) {
      throw new SimUsageError(`poke("${port.name}", ${value}): value must be a safe integer or a bigint`);
    }
    v = BigInt(value);
  } else if (typeof value === "bigint") {
    v = value;
  } else {
    throw new SimUsageError(`poke("${port.name}"): value must be a number or a bigint, got ${typeof value}`);
  }
  const w = BigInt(port.width);
  const max = (1n << w) - 1n;
  const min = port.signed ? -(1n << (w - 1n)) : 0n;
  if (v < min || v > max) {
    const range = port.signed ? `${min} .. ${max} (signed, or raw bits)` : `0 .. ${max}`;
    throw new SimUsageError(`poke("${port.name}", ${value}): out of range for a ${port.width}-bit port, expected ${range}`);
  }
  if (v < 0n) v += 1n << w;
  return v.toString(16);
}

/** True if a hex string from the simulator contains X or Z digits. */
export function hasXZ(hex: string): boolean {
  return /[xXzZ?]/.test(hex);
}

/** Decode the simulator's hex for a port into a bigint (signed ports sign-extended). */
export function decodeBig(port: ValueShape, hex: string): bigint {
  let v = BigInt("0x" + hex);
  const w = BigInt(port.width);
  v &= (1n << w) - 1n;
  if (port.signed && v >> (w - 1n) === 1n) v -= 1n << w;
  return v;
}

/** Decode with the width rule: `number` when width <= 53, else `bigint`. */
export function decodeValue(port: ValueShape, hex: string): SimValue {
  if (port.width <= MAX_NUMBER_WIDTH - 1) {
    const span = 2 ** port.width;
    let n = parseInt(hex, 16);
    if (n >= span) n %= span;
    if (port.signed && n >= span / 2) n -= span;
    return n;
  }
  const v = decodeBig(port, hex);
  return port.width <= MAX_NUMBER_WIDTH ? Number(v) : v;
}
