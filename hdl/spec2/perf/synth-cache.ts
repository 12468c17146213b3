/**
 * The measured resources the model reads: Yosys (synth_xilinx, 7-series) results for the SPEC2
 * building blocks, in bench/results/synth-cache.json. The schema is checked on reading; the
 * file is written by bench/synth-blocks.ts, so the model itself never runs Yosys.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

export const CACHE_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../../bench/results/synth-cache.json");
export const SYNTH_COMMAND = "npx tsx bench/synth-blocks.ts";

const count = z.number().int().min(0);

export const ResourcesSchema = z.object({
  lut: count,
  ff: count,
  dsp: count,
  bram18: count,
  bram36: count,
  lutram: count,
  lutramLuts: count,
  srl: count,
  carry4: count,
  muxf: count,
});

export const CacheEntrySchema = z.object({
  what: z.string(),
  params: z.unknown(),
  resources: ResourcesSchema,
  elapsedMs: z.number(),
});

export const SynthCacheSchema = z.object({
  command: z.string(),
  target: z.literal("xilinx7"),
  yosys: z.string(),
  entries: z.record(z.string(), CacheEntrySchema),
});

/** The fields of a ResourceReport kept in the cache. */
export type Resources = z.infer<typeof ResourcesSchema>;
export type CacheEntry = z.infer<typeof CacheEntrySchema>;
export type SynthCache = z.infer<typeof SynthCacheSchema>;

/** The cache (empty when the file does not exist); a file that does not match the schema is an error naming the field. */
export function readCache(file = CACHE_FILE): SynthCache {
  if (!existsSync(file)) return { command: SYNTH_COMMAND, target: "xilinx7", yosys: "", entries: {} };
  const r = SynthCacheSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${file}: ${i.path.join(".")}: ${i.message}; rerun ${SYNTH_COMMAND}`);
  }
  return r.data;
}
