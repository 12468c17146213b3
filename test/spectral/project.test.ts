import { describe, expect, it } from "vitest";
import { conjugatePartner, halfPlaneSize, keptPerKernel } from "../../spectral/layout";
import { Rng } from "../../spectral/rng";
import { projectKernelMask, symmetrize } from "../../spectral/project";

/** exact reference: 0/1 knapsack DP over the items (cost 1 or 2), total cost exactly n */
function bestEnergy(K: number, W: Float64Array, n: number): number {
  const L = halfPlaneSize(K);
  const e = (j: number): number => W[2 * j]! ** 2 + W[2 * j + 1]! ** 2;
  const items: [number, number][] = [];
  for (let j = 0; j < L; j++) {
    const p = conjugatePartner(K, j);
    if (p === -1 || p === j) items.push([1, e(j)]);
    else if (p > j) items.push([2, e(j) + e(p)]);
  }
  let dp = new Array<number>(n + 1).fill(-Infinity);
  dp[0] = 0;
  for (const [c, v] of items) {
    const nd = dp.slice();
    for (let t = c; t <= n; t++) if (dp[t - c]! + v > nd[t]!) nd[t] = dp[t - c]! + v;
    dp = nd;
  }
  return dp[n]!;
}

describe("balanced projection", () => {
  for (const K of [4, 8, 16]) {
    it(`K=${K}: keeps exactly n layout entries, conjugate pairs together, maximal energy`, () => {
      const rng = new Rng(K);
      const L = halfPlaneSize(K);
      for (let rep = 0; rep < 30; rep++) {
        const W = Float64Array.from({ length: 2 * L }, () => rng.normal() * (rng.next() < 0.2 ? 5 : 1));
        symmetrize(K, W, 1);
        for (const n of [0, 1, 2, 3, 5, keptPerKernel(K, 0.25), Math.floor(L / 2), L - 1, L]) {
          const mask = new Uint8Array(L);
          projectKernelMask(K, W, 0, n, mask, 0);
          let count = 0;
          let energy = 0;
          for (let j = 0; j < L; j++) {
            if (!mask[j]) continue;
            count++;
            energy += W[2 * j]! ** 2 + W[2 * j + 1]! ** 2;
            const p = conjugatePartner(K, j);
            if (p >= 0) expect(mask[p]).toBe(1);
          }
          expect(count).toBe(n);
          expect(energy).toBeCloseTo(bestEnergy(K, W, n), 9);
        }
      }
    });
  }
  it("K=8: n = 10 at density 0.25 (of 40 layout entries)", () => {
    expect(halfPlaneSize(8)).toBe(40);
    expect(keptPerKernel(8, 0.25)).toBe(10);
    expect(keptPerKernel(8, 0.125)).toBe(5);
    expect(keptPerKernel(8, 1)).toBe(40);
    expect(() => keptPerKernel(8, 0)).toThrow("density = 0 is outside (0, 1]");
    expect(() => keptPerKernel(8, 1.5)).toThrow("density = 1.5 is outside (0, 1]");
  });
});
