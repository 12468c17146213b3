/**
 * The design's own checks in simulation (hdl/core/verify.ts): the Verilog prints
 * `@A <index> <cycle> <instance>` when an assert or assume fails and `@C <index> <cycle> <instance>`
 * the first time a cover is reached; this turns those lines into a `SimAssertionError` or a
 * recorded cover hit, with the statement's `file:line` and message from the design's table.
 */
import type { ElaboratedDesign, VerificationInfo } from "../hdl/core/design.js";
import { SimAssertionError, SimError } from "./errors.js";

/** A cover statement reached in simulation. */
export interface CoverHit {
  readonly name: string;
  readonly site: string;
  /** The first cycle it was reached in. */
  readonly cycle: number;
  readonly instance: string;
}

const LINE = /^@([AC]) (\d+) (\d+) (.*)$/;

export class CheckEvents {
  readonly covers: CoverHit[] = [];

  constructor(private readonly design: ElaboratedDesign) {}

  /** True for the lines this class handles. */
  static handles(line: string): boolean {
    return line.startsWith("@A ") || line.startsWith("@C ");
  }

  /** The error that ends the run for a failed assertion, else undefined (a cover hit is recorded). */
  onLine(line: string): SimError | undefined {
    const m = LINE.exec(line.trim());
    const info: VerificationInfo | undefined = m ? this.design.verification?.[Number(m[2])] : undefined;
    if (!m || !info) return new SimError(`unexpected check report from the simulator: ${line}`);
    const cycle = Number(m[3]);
    const instance = m[4]!.trim();
    if (m[1] === "C") {
      this.covers.push({ name: info.message, site: info.site, cycle, instance });
      return undefined;
    }
    return new SimAssertionError(info.kind === "assume" ? "assume" : "assert", info.site, info.message, cycle, instance);
  }
}

/**
 * A printf line as the Verilog's `$display` prints it: `%d` decimal (negative for a signed
 * value), `%x` lowercase hexadecimal and `%b` binary of the value's bits (two's complement of
 * `widths[i]` bits), `%c` the character of the low byte, `%%` a percent sign.
 */
export function formatPrintf(format: string, values: readonly (number | bigint)[], widths: readonly number[]): string {
  let k = 0;
  return format.replace(/%(.)/g, (all, c: string) => {
    if (c === "%") return "%";
    const i = k++;
    const v = BigInt(values[i] ?? 0);
    const bits = BigInt.asUintN(widths[i] ?? 64, v);
    if (c === "d") return v.toString(10);
    if (c === "x") return bits.toString(16);
    if (c === "b") return bits.toString(2);
    if (c === "c") return String.fromCharCode(Number(bits & 0xffn));
    return all;
  });
}
