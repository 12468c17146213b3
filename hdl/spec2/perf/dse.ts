/**
 * Design-space exploration: pOut, pIn, FFT lanes, IFFT lanes, K (and the per-PE weight buffer)
 * for a network, under a device budget. Each point: resources summed from the Yosys block
 * measurements (resources.ts) and time per image from the performance model (model.ts).
 */
import { DEFAULT_SYSTEM, entriesPerKernel, networkPerf, type ArchConfig, type ConvLayer, type NetworkPerf, type SystemParams } from "./model";
import { XC7VX690T, configUsage, fits, inputBufferWords, measuredKs, weightWordsPerPe, type Breakdown, type Budget, type BufferParams } from "./resources";
import type { SynthCache } from "./synth-cache";

export interface DsePoint {
  readonly config: ArchConfig;
  readonly buffers: BufferParams;
  readonly usage: Breakdown;
  readonly fits: boolean;
  readonly perf: NetworkPerf;
}

/** A point of explore(): the performance is only evaluated for points within the budget. */
export type DseCandidate = (DsePoint & { readonly fits: true }) | { readonly config: ArchConfig; readonly buffers: BufferParams; readonly usage: Breakdown; readonly fits: false; readonly perf?: undefined };

export interface DseSpace {
  readonly Ks: readonly number[];
  readonly pOut: readonly number[];
  readonly pIn: readonly number[];
  readonly fftLanes: readonly number[];
  readonly ifftLanes: readonly number[];
  readonly weightBram36PerPe: readonly number[];
  readonly inputMapBram36: readonly number[];
  /** accumulator regions per PE */
  readonly accRegions: readonly number[];
  /** spectral density (0.25 = 75% pruned) */
  readonly density: number;
}

const pow2 = (max: number): number[] => Array.from({ length: Math.log2(max) + 1 }, (_, i) => 2 ** i);

export const DEFAULT_SPACE: DseSpace = {
  Ks: [8, 16],
  pOut: pow2(256),
  pIn: pow2(32),
  fftLanes: pow2(16),
  ifftLanes: pow2(32),
  weightBram36PerPe: [1, 2, 4, 8],
  inputMapBram36: [0, 400],
  accRegions: [1, 2, 4, 8, 16],
  density: 0.25,
};

export function evaluate(cache: SynthCache, layers: readonly ConvLayer[], config: ArchConfig, buffers: BufferParams, sys: SystemParams = DEFAULT_SYSTEM, budget: Budget = XC7VX690T): DsePoint {
  const usage = configUsage(cache, layers, config, buffers);
  const perf = networkPerf(layers, config, { ...sys, weightWordsPerPe: weightWordsPerPe(buffers), inputBufferWords: inputBufferWords(buffers), actBits: buffers.actBits });
  return { config, buffers, usage, fits: fits(usage.total, budget), perf };
}

/**
 * Every point of the space that the cache can cost (K with all blocks measured); IFFT lanes
 * beyond pOut are skipped. The performance is evaluated only for points within the budget.
 */
export function explore(cache: SynthCache, layers: readonly ConvLayer[], space: DseSpace = DEFAULT_SPACE, sys: SystemParams = DEFAULT_SYSTEM, budget: Budget = XC7VX690T): DseCandidate[] {
  const out: DseCandidate[] = [];
  const Ks = space.Ks.filter((K) => measuredKs(cache).includes(K));
  for (const K of Ks) {
    const n = entriesPerKernel(K, space.density);
    for (const pOut of space.pOut) {
      for (const pIn of space.pIn) {
        for (const fftLanes of space.fftLanes) {
          for (const ifftLanes of space.ifftLanes) {
            if (ifftLanes > pOut) continue;
            for (const wb of space.weightBram36PerPe) {
              for (const im of space.inputMapBram36) {
                for (const accRegions of space.accRegions) {
                  const config: ArchConfig = { K, pOut, pIn, fftLanes, ifftLanes, n, accRegions };
                  const buffers: BufferParams = { weightBram36PerPe: wb, actBits: sys.actBits, inputMapBram36: im };
                  const usage = configUsage(cache, layers, config, buffers);
                  if (!fits(usage.total, budget)) out.push({ config, buffers, usage, fits: false });
                  else out.push(evaluate(cache, layers, config, buffers, sys, budget) as DsePoint & { fits: true });
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/** The fitting point with the highest equivalent throughput (ties: fewer LUTs). */
export function best(points: readonly DseCandidate[]): DsePoint | undefined {
  let b: DsePoint | undefined;
  for (const p of points) {
    if (!p.fits) continue;
    if (!b || p.perf.eqOpsPerS > b.perf.eqOpsPerS * (1 + 1e-9) || (Math.abs(p.perf.eqOpsPerS - b.perf.eqOpsPerS) <= b.perf.eqOpsPerS * 1e-9 && p.usage.total.lut < b.usage.total.lut)) b = p;
  }
  return b;
}

/**
 * Pareto front of the fitting points: maximal throughput for a resource (no point has more
 * throughput with no more of it). Points that add less than `minGain` (relative) throughput over
 * the previous front point are left out (default 0.5%: the front is not cluttered by equal designs).
 */
export function paretoFront(points: readonly DseCandidate[], resource: "lut" | "dsp", minGain = 0.005): DsePoint[] {
  const sorted = points.filter((p): p is DsePoint & { fits: true } => p.fits).sort((a, b) => a.usage.total[resource] - b.usage.total[resource] || b.perf.eqOpsPerS - a.perf.eqOpsPerS);
  const front: DsePoint[] = [];
  let top = -Infinity;
  for (const p of sorted) {
    if (p.perf.eqOpsPerS > top * (1 + minGain)) {
      front.push(p);
      top = p.perf.eqOpsPerS;
    }
  }
  return front;
}

export function describeConfig(c: ArchConfig, b?: BufferParams): string {
  return `K=${c.K} n=${c.n} P=${c.pOut}x${c.pIn} (${c.pOut * c.pIn} PEs), FFT lanes ${c.fftLanes}, IFFT lanes ${c.ifftLanes}${c.accRegions !== undefined ? `, ${c.accRegions} acc. regions/PE` : ""}${b ? `, weight buffer ${b.weightBram36PerPe} RAMB36/PE, input map buffer ${b.inputMapBram36} RAMB36` : ""}`;
}
