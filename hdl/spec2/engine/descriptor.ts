/**
 * The layer descriptor of the SPEC2 engine: what one convolution layer of a network is, as the
 * host writes it through the control port, and the engine's limits it is checked against.
 *
 * A descriptor is `DESCRIPTOR_WORDS` 32-bit words; `DESCRIPTOR_FIELDS` is the register map
 * (word, lowest bit, width of every field), the one table that `encodeDescriptor`,
 * `decodeDescriptor` and the hardware's field decoder (`sequencer.ts`) all read. Addresses are
 * byte addresses in external memory, multiples of the memory port's beat.
 */
import type { ConvShape } from "../../../spectral/conv";

/** A layer's shape (input map h x w, kernel k, padding p; the FFT size K is the engine's). */
export interface LayerDescriptor extends Omit<ConvShape, "K"> {
  /** for messages only */
  readonly name?: string;
  readonly relu: boolean;
  /** 2x2 max-pooling (stride 2) fused into the output stage */
  readonly pool: boolean;
  /** stored spectral entries per kernel */
  readonly n: number;
  /** fraction bits of the input activations, the weights and the output activations */
  readonly inFrac: number;
  readonly weightFrac: number;
  readonly outFrac: number;
  /** byte addresses: input maps, output maps, sparse weights, biases */
  readonly input: number;
  readonly output: number;
  readonly weights: number;
  readonly bias: number;
}

/** What an engine build can run; every descriptor is checked against them before any work. */
export interface EngineLimits {
  /** FFT size */
  readonly K: number;
  readonly maxCin: number;
  readonly maxCout: number;
  /** largest input map height and width */
  readonly maxHeight: number;
  readonly maxWidth: number;
  /** kernel sizes the tile plan supports: k <= K - 1 (tile T = K - k + 1 >= 2) */
  readonly maxKernel: number;
  /** bytes of external memory the address fields can reach (at most 2^32) */
  readonly memoryBytes: number;
  /** bytes per beat of the memory port: every address is a multiple of it */
  readonly beatBytes: number;
}

export interface DescriptorField {
  readonly name: FieldName;
  readonly word: number;
  readonly lsb: number;
  readonly bits: number;
  /** two's complement (macShift) */
  readonly signed?: boolean;
}

type FieldName = "cin" | "cout" | "h" | "w" | "k" | "p" | "relu" | "pool" | "n" | "inFrac" | "weightFrac" | "outFrac" | "macShift" | "input" | "output" | "weights" | "bias";

/** The register map. */
export const DESCRIPTOR_FIELDS: readonly DescriptorField[] = [
  { name: "cin", word: 0, lsb: 0, bits: 16 },
  { name: "cout", word: 0, lsb: 16, bits: 16 },
  { name: "h", word: 1, lsb: 0, bits: 16 },
  { name: "w", word: 1, lsb: 16, bits: 16 },
  { name: "k", word: 2, lsb: 0, bits: 5 },
  { name: "p", word: 2, lsb: 5, bits: 5 },
  { name: "relu", word: 2, lsb: 10, bits: 1 },
  { name: "pool", word: 2, lsb: 11, bits: 1 },
  { name: "n", word: 2, lsb: 16, bits: 16 },
  { name: "inFrac", word: 3, lsb: 0, bits: 6 },
  { name: "weightFrac", word: 3, lsb: 6, bits: 6 },
  { name: "outFrac", word: 3, lsb: 12, bits: 6 },
  { name: "macShift", word: 3, lsb: 18, bits: 8, signed: true },
  { name: "input", word: 4, lsb: 0, bits: 32 },
  { name: "output", word: 5, lsb: 0, bits: 32 },
  { name: "weights", word: 6, lsb: 0, bits: 32 },
  { name: "bias", word: 7, lsb: 0, bits: 32 },
];

export const DESCRIPTOR_WORDS = 8;

/** Shift between the accumulator and the IFFT input (spectral/fixed macShift). */
export function descriptorMacShift(d: LayerDescriptor, K: number): number {
  return d.inFrac + d.weightFrac - 2 * Math.log2(K) - d.outFrac;
}

/** Output map height and width: the convolution's, halved (rounded down) when pooled. */
export function outputSize(d: LayerDescriptor): { ho: number; wo: number } {
  const ho = d.h + 2 * d.p - d.k + 1;
  const wo = d.w + 2 * d.p - d.k + 1;
  return d.pool ? { ho: Math.floor(ho / 2), wo: Math.floor(wo / 2) } : { ho, wo };
}

/** The 32-bit words of a descriptor, in register order (check it first). */
export function encodeDescriptor(d: LayerDescriptor, K: number): number[] {
  const words = new Array<number>(DESCRIPTOR_WORDS).fill(0);
  for (const f of DESCRIPTOR_FIELDS) {
    const raw = fieldValue(d, f.name, K);
    const bits = BigInt.asUintN(f.bits, BigInt(raw));
    words[f.word] = Number((BigInt(words[f.word]!) | (bits << BigInt(f.lsb))) & 0xffff_ffffn);
  }
  return words;
}

/** The fields of encoded words (macShift signed), for tests and for reading a descriptor back. */
export function decodeDescriptor(words: readonly number[]): Record<FieldName, number> {
  const out = {} as Record<FieldName, number>;
  for (const f of DESCRIPTOR_FIELDS) {
    const raw = (BigInt(words[f.word]!) >> BigInt(f.lsb)) & ((1n << BigInt(f.bits)) - 1n);
    out[f.name] = Number(f.signed ? BigInt.asIntN(f.bits, raw) : raw);
  }
  return out;
}

function fieldValue(d: LayerDescriptor, name: FieldName, K: number): number {
  if (name === "relu") return d.relu ? 1 : 0;
  if (name === "pool") return d.pool ? 1 : 0;
  if (name === "macShift") return descriptorMacShift(d, K);
  return d[name];
}

/** A descriptor the engine cannot run: names the layer, the field, its value and the limit. */
export class DescriptorError extends Error {
  override name = "DescriptorError";
}

/**
 * Checks a descriptor against the engine's limits and the register map; throws one
 * DescriptorError listing every problem (`layer 2 (conv2_1): cin = 1024 is over the engine's
 * maxCin = 512; ...`).
 */
export function checkDescriptor(d: LayerDescriptor, limits: EngineLimits, index: number): void {
  const problems: string[] = [];
  const need = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  const intIn = (name: keyof LayerDescriptor & string, lo: number, hi: number, limitName?: string): void => {
    const v = d[name] as number;
    if (!Number.isInteger(v)) problems.push(`${name} = ${v} is not an integer`);
    else if (v < lo) problems.push(`${name} = ${v} is below ${lo}`);
    else if (v > hi) problems.push(`${name} = ${v} is over ${limitName ? `the engine's ${limitName} = ${hi}` : hi}`);
  };
  intIn("cin", 1, limits.maxCin, "maxCin");
  intIn("cout", 1, limits.maxCout, "maxCout");
  intIn("h", 1, limits.maxHeight, "maxHeight");
  intIn("w", 1, limits.maxWidth, "maxWidth");
  intIn("k", 1, limits.maxKernel, "maxKernel");
  intIn("p", 0, Math.max(0, d.k - 1));
  const L = limits.K * (limits.K / 2 + 1);
  intIn("n", 1, L);
  for (const f of ["inFrac", "weightFrac", "outFrac"] as const) intIn(f, 0, 31);
  const { ho, wo } = outputSize(d);
  need(ho >= 1 && wo >= 1, `the output map is ${ho} x ${wo}: the kernel (k = ${d.k}, padding ${d.p}) does not fit the ${d.h} x ${d.w} input${d.pool ? " pooled 2x2" : ""}`);
  const shift = descriptorMacShift(d, limits.K);
  need(shift >= -128 && shift <= 127, `macShift = ${shift} (inFrac + weightFrac - 2 log2 K - outFrac) is outside -128..127`);
  const memory = Math.min(limits.memoryBytes, 2 ** 32);
  for (const a of ["input", "output", "weights", "bias"] as const) {
    const v = d[a];
    if (!Number.isInteger(v) || v < 0 || v >= memory) problems.push(`${a} = ${v} is outside the memory (0..${memory - 1})`);
    else if (v % limits.beatBytes !== 0) problems.push(`${a} = ${v} is not a multiple of the memory beat (${limits.beatBytes} bytes)`);
  }
  if (problems.length > 0) throw new DescriptorError(`layer ${index}${d.name ? ` (${d.name})` : ""}: ${problems.join("; ")}`);
}
