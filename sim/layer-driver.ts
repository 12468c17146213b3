/**
 * Runs input maps through a simulated Spec2Layer: loads each map through the
 * `load_*` port, collects the `out_*` words, and counts cycles and useful MACs.
 * Used by sim/run-layer.ts, the LeNet example and the tests.
 */
import type { ElaboratedDesign } from "../hdl/core";
import { makePlan } from "../spectral/conv";
import type { FixedLayer } from "../spectral/fixed";
import { simulate, type Backend, type Sample, type Stimulus } from "./index";

export interface LayerRun {
  /** Output words, Cout x Ho x Wo, as the RTL produced them. */
  readonly output: Int32Array;
  /** Cycles from the first input word to the last output word. */
  readonly cycles: number;
  /** Useful complex MACs counted in simulation. */
  readonly macs: number;
}

export interface DriverOptions {
  readonly backend?: Backend;
  /** Give up after this many cycles per map (default: generous bound from the layer shape). */
  readonly maxCycles?: number;
  /** Called after each map with its index (for progress). */
  readonly onMap?: (index: number) => void;
}

const CHUNK = 2048;

function toNumber(v: Sample[string]): number {
  return typeof v === "bigint" ? Number(v) : (v as number);
}

/** Simulates `design` (a Spec2Layer for `layer`) on each input map in turn, in one simulator process. */
export async function runLayerMaps(design: ElaboratedDesign, layer: FixedLayer, maps: readonly ArrayLike<number>[], opts: DriverOptions = {}): Promise<LayerRun[]> {
  const { cin, cout, h, w, ho, wo, K, tilesX, tilesY } = makePlan(layer);
  const words = cin * h * w;
  const expected = cout * ho * wo;
  const limit = opts.maxCycles ?? 64 * (words + tilesX * tilesY * (cin + cout) * K * K * 4) + 10_000;
  const sim = await simulate(design, { ...(opts.backend ? { backend: opts.backend } : {}) });
  const runs: LayerRun[] = [];
  try {
    await sim.reset(2);
    for (const [index, map] of maps.entries()) {
      if (map.length !== words) throw new Error(`input map ${index} has ${map.length} words, expected ${words}`);
      const output = new Int32Array(expected);
      const seen = new Uint8Array(expected);
      let received = 0;
      let macs = 0;
      let cycle: number;
      let lastOutput = 0;
      const absorb = (samples: Sample[], base: number): void => {
        samples.forEach((s, k) => {
          macs += toNumber(s.macs!);
          if (toNumber(s.overrun!) !== 0) throw new Error(`overlap-add overrun at cycle ${base + k}`);
          if (toNumber(s.out_valid!) !== 1) return;
          const o = toNumber(s.out_channel!);
          const row = toNumber(s.out_row!);
          const col = toNumber(s.out_col!);
          const mask = toNumber(s.out_mask!);
          for (let j = 0; j < K; j++) {
            if (((mask >> j) & 1) === 0) continue;
            const q = (o * ho + row) * wo + col + j;
            if (seen[q]) throw new Error(`output word (${o}, ${row}, ${col + j}) emitted twice`);
            seen[q] = 1;
            output[q] = toNumber(s[`out_values_${j}`]!);
            received++;
          }
          lastOutput = base + k;
        });
      };
      // Load the map one word per cycle (load_ready is high whenever the tiler is idle).
      const load: Stimulus[] = Array.from(map, (v) => ({ load_valid: 1, load_data: v }));
      load.push({ load_valid: 0, load_data: 0 });
      absorb(await sim.batch(load), 0);
      cycle = load.length;
      while (received < expected) {
        if (cycle > limit) throw new Error(`map ${index}: only ${received} of ${expected} output words after ${cycle} cycles`);
        const idle: Stimulus[] = Array.from({ length: CHUNK }, () => ({}));
        absorb(await sim.batch(idle), cycle);
        cycle += CHUNK;
      }
      runs.push({ output, cycles: lastOutput + 1, macs });
      opts.onMap?.(index);
    }
  } finally {
    await sim.close();
  }
  return runs;
}
