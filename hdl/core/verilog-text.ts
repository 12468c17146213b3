/** Small pieces of Verilog-2005 text shared by the emitter's parts: literals, ranges, declarations. */

export const IND = "  ";

/** A sized literal; negative signed values are parenthesised so no operator before them merges with the sign. */
export function literal(value: bigint, width: number, signed: boolean): string {
  const mask = (1n << BigInt(width)) - 1n;
  if (!signed) return width === 1 ? `1'b${value & 1n}` : `${width}'d${value & mask}`;
  const min = -(1n << BigInt(width - 1));
  if (value === min) return `${width}'sh${(value & mask).toString(16)}`;
  return value < 0n ? `(-${width}'sd${-value})` : `${width}'sd${value}`;
}

/** `[w-1:0] ` (with its trailing space), or nothing for one bit. */
export function range(width: number): string {
  return width === 1 ? "" : `[${width - 1}:0] `;
}

export function declType(kind: "wire" | "reg", width: number, signed: boolean): string {
  return `${kind} ${signed ? "signed " : ""}${range(width)}`;
}

/** A word of a `$readmemh` file: the bits of `value` as `width` bits, in hex. */
export function hexWord(value: bigint, width: number): string {
  return (value & ((1n << BigInt(width)) - 1n)).toString(16);
}
