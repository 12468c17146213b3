/**
 * The layer file's schema (zod): every field, its type and range, unknown fields rejected by
 * name. Ranges stop values that would make a run impractical (an FFT far larger than the map, a
 * map of a billion rows); checks that depend on several fields and on the weights are in
 * layer-file.ts. `describeIssue` turns a schema problem into `field = value what is wrong`.
 */
import { z } from "zod";

/** Largest FFT the accelerator is simulated with: beyond it one image takes minutes. */
export const MAX_FFT_SIZE = 64;
export const MAX_CHANNELS = 4096;
export const MAX_MAP_SIZE = 2048;
export const MAX_KERNEL_SIZE = 31;
/** PEs along one dimension, and FFT/IFFT lanes and unit widths. */
const MAX_UNITS = 1024;

function int(min: number, max: number): z.ZodNumber {
  const what = `must be an integer from ${min} to ${max}`;
  return z.number({ error: what }).int({ error: what }).min(min, { error: what }).max(max, { error: what });
}

export const ParallelismSchema = z
  .object({
    pOut: int(1, MAX_UNITS).optional(),
    pIn: int(1, MAX_UNITS).optional(),
    fftLanes: int(1, MAX_UNITS).optional(),
    ifftLanes: int(1, MAX_UNITS).optional(),
    xWords: int(1, MAX_UNITS).optional(),
    drainWords: int(1, MAX_UNITS).optional(),
    loadWords: int(1, MAX_UNITS).optional(),
  })
  .strict();

/** A nested array, checked for shape and finite numbers by the reader (the shape depends on other fields). */
const tensor = z.array(z.unknown(), { error: "must be an array" });

export const SpatialLayerSchema = z
  .object({
    inChannels: int(1, MAX_CHANNELS),
    outChannels: int(1, MAX_CHANNELS),
    height: int(1, MAX_MAP_SIZE),
    width: int(1, MAX_MAP_SIZE),
    kernelSize: int(1, MAX_KERNEL_SIZE),
    padding: int(0, MAX_KERNEL_SIZE - 1),
    fftSize: int(2, MAX_FFT_SIZE),
    weights: tensor,
    bias: tensor,
    density: z.number({ error: "must be in (0, 1]" }).gt(0, { error: "must be in (0, 1]" }).lte(1, { error: "must be in (0, 1]" }),
    relu: z.boolean({ error: "must be true or false" }).optional(),
    inputRange: z.number({ error: "must be a positive number" }).positive({ error: "must be a positive number" }).max(2 ** 15, { error: "must be at most 32768" }).optional(),
    outFrac: int(-64, 64).optional(),
    weightBits: int(4, 16).optional(),
    parallelism: ParallelismSchema.optional(),
  })
  .strict();

export const WeightsDirLayerSchema = z
  .object({
    weightsDir: z.string({ error: "must be a path" }),
    layer: z.union([z.string(), int(0, 1_000_000)], { error: "must be a layer name or index" }).optional(),
    parallelism: ParallelismSchema.optional(),
  })
  .strict();

export type SpatialLayerJson = z.infer<typeof SpatialLayerSchema>;
export type WeightsDirLayerJson = z.infer<typeof WeightsDirLayerSchema>;
export type ParallelismJson = z.infer<typeof ParallelismSchema>;

/** `a.b[2]` for an issue path. */
function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}

function suggestion(key: string, known: readonly string[]): string {
  const close = known.filter((k) => k.toLowerCase() === key.toLowerCase() || distance(k, key) <= 2);
  return close.length > 0 ? ` (did you mean ${close.map((c) => `"${c}"`).join(" or ")}?)` : "";
}

/** The fields an object schema at `path` knows, for messages about unknown ones. */
function knownFields(schema: z.ZodObject, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType = schema;
  for (const p of path) {
    if (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    if (!(s instanceof z.ZodObject)) return [];
    s = (s.shape as Record<string, z.ZodType>)[String(p)] ?? s;
  }
  if (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/** One schema problem as a sentence naming the field and the value. */
export function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodObject): string {
  const field = fieldName(issue.path);
  if (issue.code === "unrecognized_keys") {
    const known = knownFields(schema, issue.path);
    const where = field === "" ? "" : ` in ${field}`;
    return issue.keys.map((k) => `unknown field "${k}"${where}${suggestion(k, known)}: the fields are ${known.join(", ")}`).join("; ");
  }
  const input = (issue as { input?: unknown }).input;
  if (input === undefined) return `missing field "${field}"`;
  return `${field} = ${JSON.stringify(input)} ${issue.message}`;
}
