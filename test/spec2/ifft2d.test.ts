/**
 * Ifft2d in Icarus Verilog, driven cycle by cycle (the driver holds a column until in_ready
 * takes it, so a dropped or duplicated column would show up as a wrong block):
 *  - bit-exact with ifft2dFixed for K = 4, 8, 16 at ifftBits (and K = 8 at 16 bits), on random
 *    full-range spectra (three seeds; not Hermitian, so the rebuild rules matter), full-scale
 *    edge spectra (saturating, including -2^(n-1) imaginary parts whose negation saturates),
 *    spectra of random real blocks, with random idle cycles on the input;
 *  - out_r runs 0..K-1 per block with out_last at K-1;
 *  - back to back: K cycles per block; an idle unit answers ifft2dLatency(K) cycles after the
 *    last column;
 *  - the Verilog is clean in Icarus, Verilator and Yosys.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../hdl/core";
import { Ifft2d, ifft2dCyclesPerBlock, ifft2dLatency } from "../../hdl/spec2/ifft2d";
import { fft2dForwardFixed, ifft2dFixed } from "../../spectral/fixed";
import { simulate, type Simulation } from "../../sim";
import { randInt, rng } from "../helpers/rng";
import { expectCleanVerilog } from "../helpers/verilog-tools";

const F = 14;
const ifftBits = (K: number): number => 16 + 2 * Math.log2(K);

interface Out {
  cycle: number;
  r: number;
  last: number;
  row: number[];
}

/** A spectrum is 2*K*(K/2+1) interleaved words, index u*(K/2+1)+v. */
async function drive(sim: Simulation, K: number, specs: readonly number[][], idle: number, seed: number): Promise<{ outs: Out[]; accepted: number[] }> {
  const r = rng(seed);
  const C = K / 2 + 1;
  const cols = specs.flatMap((s) => Array.from({ length: C }, (_, v) => Array.from({ length: K }, (_, u) => [s[2 * (u * C + v)]!, s[2 * (u * C + v) + 1]!])));
  const outs: Out[] = [];
  const accepted: number[] = [];
  const allowX = Array.from({ length: K }, (_, c) => `out_row_${c}`);
  let next = 0;
  let quiet = 0;
  for (let cycle = 0; outs.length < specs.length * K; cycle++) {
    if (cycle > 100 * cols.length + 200) throw new Error(`no progress: ${outs.length} rows out after ${cycle} cycles`);
    const valid = next < cols.length && r() >= idle ? 1 : 0;
    sim.poke("in_valid", valid);
    if (valid) {
      cols[next]!.forEach(([re, im], u) => {
        sim.poke(`in_col_${u}_re`, re!);
        sim.poke(`in_col_${u}_im`, im!);
      });
    }
    const s = await sim.peekAll({ allowX });
    if (valid && s.in_ready === 1) {
      accepted.push(cycle);
      next++;
    }
    if (s.out_valid === 1) {
      outs.push({ cycle, r: Number(s.out_r), last: Number(s.out_last), row: Array.from({ length: K }, (_, c) => Number(s[`out_row_${c}`])) });
      quiet = 0;
    } else if (next >= cols.length && ++quiet > 200) throw new Error(`output stopped after ${outs.length} rows`);
    await sim.step();
  }
  sim.poke("in_valid", 0);
  for (let i = 0; i < 2 * K; i++) {
    expect((await sim.peekAll({ allowX })).out_valid).toBe(0);
    await sim.step();
  }
  return { outs, accepted };
}

function checkOutputs(K: number, n: number, specs: readonly number[][], outs: readonly Out[]): void {
  expect(outs.length).toBe(specs.length * K);
  specs.forEach((spec, b) => {
    const want = ifft2dFixed(spec, K, { dataBits: n, twiddleFrac: F });
    for (let r = 0; r < K; r++) {
      const o = outs[b * K + r]!;
      expect([o.r, o.last], `block ${b} row ${r}`).toEqual([r, r === K - 1 ? 1 : 0]);
      expect(o.row, `block ${b} row ${r}`).toEqual(Array.from(want.subarray(r * K, r * K + K)));
    }
  });
}

function randomSpecs(K: number, n: number, count: number, seed: number, limit = 2 ** (n - 1)): number[][] {
  const r = rng(seed);
  const len = 2 * K * (K / 2 + 1);
  return Array.from({ length: count }, () => Array.from({ length: len }, () => randInt(r, -limit, limit - 1)));
}

function edgeSpecs(K: number, n: number): number[][] {
  const hi = 2 ** (n - 1) - 1;
  const lo = -(2 ** (n - 1));
  const len = 2 * K * (K / 2 + 1);
  const f = (g: (q: number) => number): number[] => Array.from({ length: len }, (_, q) => g(q));
  return [
    f(() => hi), f(() => lo), f((q) => (q % 2 ? lo : hi)), f((q) => (q % 2 ? hi : lo)),
    f((q) => (q % 4 < 2 ? lo : hi)), f((q) => (q === 0 ? hi : 0)), f((q) => (q === 3 ? lo : 0)),
  ];
}

/** Spectra as the layer produces them: the forward transform of a real block, scaled up. */
function blockSpecs(K: number, n: number, count: number, seed: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: count }, () => {
    const x = Array.from({ length: K * K }, () => randInt(r, -30000, 30000));
    const s = fft2dForwardFixed(x, K, { dataBits: 16, twiddleFrac: F });
    return Array.from(s, (v) => Math.max(-(2 ** (n - 1)), Math.min(2 ** (n - 1) - 1, v * K * K)));
  });
}

async function bitExact(K: number, n: number, seeds: readonly number[], lint = false): Promise<void> {
  const design = elaborate(Ifft2d, { K, dataBits: n, twiddleFrac: F });
  if (lint) await expectCleanVerilog(design.verilog, design.top);
  const sim = await simulate(design);
  try {
    await sim.reset();
    for (const [k, seed] of seeds.entries()) {
      const specs = [...randomSpecs(K, n, 3, seed), ...(k === 0 ? edgeSpecs(K, n) : []), ...blockSpecs(K, n, 2, seed + 50), ...randomSpecs(K, n, 2, seed + 60, 2 ** (n - 4))];
      const { outs } = await drive(sim, K, specs, [0.3, 0, 0.6][k % 3]!, seed);
      checkOutputs(K, n, specs, outs);
    }
  } finally {
    await sim.close();
  }
}

describe("Ifft2d is bit-exact with ifft2dFixed", () => {
  it("K=4, ifftBits = 20", () => bitExact(4, ifftBits(4), [1, 2, 3]));
  it("K=8, ifftBits = 22, with the Verilog checked by three tools", () => bitExact(8, ifftBits(8), [4, 5, 6], true));
  it("K=8, 16-bit data", () => bitExact(8, 16, [7, 8, 9]));
  it("K=16, ifftBits = 24", () => bitExact(16, ifftBits(16), [10, 11, 12]));
});

describe("Ifft2d throughput and latency", () => {
  for (const K of [4, 8, 16]) {
    it(`K=${K}: back to back ${ifft2dCyclesPerBlock(K)} cycles per block; latency ${ifft2dLatency(K)} when idle`, async () => {
      const n = ifftBits(K);
      const sim = await simulate(elaborate(Ifft2d, { K, dataBits: n, twiddleFrac: F }));
      try {
        await sim.reset();
        const one = randomSpecs(K, n, 1, K);
        const a = await drive(sim, K, one, 0, 1);
        expect(a.outs[0]!.cycle - a.accepted[K / 2]!).toBe(ifft2dLatency(K));
        checkOutputs(K, n, one, a.outs);
        const specs = blockSpecs(K, n, 8, K + 1);
        const b = await drive(sim, K, specs, 0, 2);
        checkOutputs(K, n, specs, b.outs);
        const firstRows = b.outs.filter((o) => o.r === 0).map((o) => o.cycle);
        expect((firstRows[7]! - firstRows[2]!) / 5).toBe(ifft2dCyclesPerBlock(K));
        // rows of a block come out on consecutive cycles, and blocks follow without a gap
        for (let i = 1; i < b.outs.length; i++) expect(b.outs[i]!.cycle - b.outs[i - 1]!.cycle).toBe(1);
      } finally {
        await sim.close();
      }
    });
  }
});
