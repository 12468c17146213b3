/**
 * Fft2dForward in Icarus Verilog, driven cycle by cycle (the driver holds a row until
 * in_ready takes it, so a dropped or duplicated row would show up as a wrong spectrum):
 *  - bit-exact with fft2dForwardFixed for K = 4, 8, 16 and several T, on random tiles (three
 *    seeds), full-scale edge tiles (saturating) and random idle cycles on the input;
 *  - out_v runs 0..K/2 per tile with out_last at K/2;
 *  - back to back: the steady state is fft2dForwardCyclesPerTile(K, T) cycles per tile, and
 *    an idle unit answers fft2dForwardLatency(K) cycles after the last row;
 *  - against a float 2D DFT / K^2 by fft.js within the error bound of two chained 1D FFTs;
 *  - the Verilog is clean in Icarus, Verilator and Yosys.
 */
import FFT from "fft.js";
import { describe, expect, it } from "vitest";
import { FAST_BACKEND } from "../helpers/sim-backend";
import { elaborate } from "../../hdl/core";
import { fftErrorBound } from "../../hdl/spec2/fft1d";
import { Fft2dForward, fft2dForwardCyclesPerTile, fft2dForwardLatency } from "../../hdl/spec2/fft2d";
import { fft2dForwardFixed } from "../../spectral/fixed";
import { simulate, type Simulation } from "../../sim";
import { randInt, rng } from "../helpers/rng";
import { expectCleanVerilog } from "../helpers/verilog-tools";

const F = 14;
const BITS = 16;

interface Out {
  cycle: number;
  v: number;
  last: number;
  re: number[];
  im: number[];
}

/**
 * Offers the tiles' rows (T x T row-major each) in order, each row held until accepted, with
 * in_valid low on a cycle with probability `idle`; collects every output column.
 */
async function drive(sim: Simulation, K: number, T: number, tiles: readonly number[][], idle: number, seed: number): Promise<{ outs: Out[]; accepted: number[] }> {
  const r = rng(seed);
  const C = K / 2 + 1;
  const rows = tiles.flatMap((t) => Array.from({ length: T }, (_, i) => t.slice(i * T, i * T + T)));
  const outs: Out[] = [];
  const accepted: number[] = [];
  const allowX = Array.from({ length: K }, (_, u) => [`out_col_${u}_re`, `out_col_${u}_im`]).flat();
  let next = 0;
  let quiet = 0;
  for (let cycle = 0; outs.length < tiles.length * C; cycle++) {
    if (cycle > 100 * rows.length + 200) throw new Error(`no progress: ${outs.length} columns out after ${cycle} cycles`);
    const valid = next < rows.length && r() >= idle ? 1 : 0;
    sim.poke("in_valid", valid);
    if (valid) rows[next]!.forEach((x, c) => sim.poke(`in_row_${c}`, x));
    const s = await sim.peekAll({ allowX });
    if (valid && s.in_ready === 1) {
      accepted.push(cycle);
      next++;
    }
    if (s.out_valid === 1) {
      outs.push({
        cycle, v: Number(s.out_v), last: Number(s.out_last),
        re: Array.from({ length: K }, (_, u) => Number(s[`out_col_${u}_re`])),
        im: Array.from({ length: K }, (_, u) => Number(s[`out_col_${u}_im`])),
      });
      quiet = 0;
    } else if (next >= rows.length && ++quiet > 200) throw new Error(`output stopped after ${outs.length} columns`);
    await sim.step();
  }
  // nothing more comes out
  sim.poke("in_valid", 0);
  for (let i = 0; i < 2 * K; i++) {
    expect((await sim.peekAll({ allowX })).out_valid).toBe(0);
    await sim.step();
  }
  return { outs, accepted };
}

function padTile(tile: readonly number[], K: number, T: number): number[] {
  const p = new Array<number>(K * K).fill(0);
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) p[i * K + j] = tile[i * T + j]!;
  return p;
}

function checkOutputs(K: number, T: number, tiles: readonly number[][], outs: readonly Out[]): void {
  const C = K / 2 + 1;
  expect(outs.length).toBe(tiles.length * C);
  tiles.forEach((tile, n) => {
    const want = fft2dForwardFixed(padTile(tile, K, T), K, { dataBits: BITS, twiddleFrac: F });
    for (let v = 0; v < C; v++) {
      const o = outs[n * C + v]!;
      expect([o.v, o.last], `tile ${n} column ${v}`).toEqual([v, v === C - 1 ? 1 : 0]);
      const wre = Array.from({ length: K }, (_, u) => want[2 * (u * C + v)]!);
      const wim = Array.from({ length: K }, (_, u) => want[2 * (u * C + v) + 1]!);
      expect({ re: o.re, im: o.im }, `tile ${n} column ${v}`).toEqual({ re: wre, im: wim });
    }
  });
}

function edgeTiles(T: number): number[][] {
  const hi = 2 ** (BITS - 1) - 1;
  const lo = -(2 ** (BITS - 1));
  const f = (g: (i: number, j: number) => number): number[] => Array.from({ length: T * T }, (_, q) => g(Math.floor(q / T), q % T));
  return [f(() => hi), f(() => lo), f((i, j) => ((i + j) % 2 ? lo : hi)), f((i, j) => (i === 0 && j === 0 ? lo : 0)), f((i, j) => (j % 2 ? lo : hi)), f((i) => (i % 2 ? lo : hi))];
}

function randomTiles(T: number, count: number, seed: number, limit: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: count }, () => Array.from({ length: T * T }, () => randInt(r, -limit, limit)));
}

const full = 2 ** (BITS - 1);

async function bitExact(K: number, T: number, seeds: readonly number[], lint = false): Promise<void> {
  const design = elaborate(Fft2dForward, { K, T, dataBits: BITS, twiddleFrac: F });
  if (lint) await expectCleanVerilog(design.verilog, design.top);
  const sim = await simulate(design, { backend: FAST_BACKEND });
  try {
    await sim.reset();
    for (const [k, seed] of seeds.entries()) {
      const tiles = [...randomTiles(T, 4, seed, full - 1), ...(k === 0 ? edgeTiles(T) : []), ...randomTiles(T, 3, seed + 50, 2000)];
      tiles.push(...tiles.slice(0, 2).map((t) => t.map((x) => Math.max(-full, Math.min(full - 1, x))))); // duplicate tiles
      const { outs } = await drive(sim, K, T, tiles, [0.3, 0, 0.6][k % 3]!, seed);
      checkOutputs(K, T, tiles, outs);
    }
  } finally {
    await sim.close();
  }
}

describe("Fft2dForward is bit-exact with fft2dForwardFixed", () => {
  it("K=4, T=3 and T=4", async () => {
    await bitExact(4, 3, [1, 2, 3]);
    await bitExact(4, 4, [4, 5, 6]);
  });
  it("K=8, T=4 (LeNet, k=5), with the Verilog checked by three tools", () => bitExact(8, 4, [7, 8, 9], true));
  it("K=8, T=8 and T=1", async () => {
    await bitExact(8, 8, [10, 11, 12]);
    await bitExact(8, 1, [13, 14, 15]);
  });
  it("K=16, T=10", () => bitExact(16, 10, [16, 17, 18]));
});

describe("Fft2dForward throughput, latency and accuracy", () => {
  for (const [K, T] of [[4, 4], [8, 4], [8, 8], [16, 10], [16, 4]] as const) {
    it(`K=${K}, T=${T}: back to back ${fft2dForwardCyclesPerTile(K, T)} cycles per tile; latency ${fft2dForwardLatency(K)} when idle`, async () => {
      const design = elaborate(Fft2dForward, { K, T, dataBits: BITS, twiddleFrac: F });
      const sim = await simulate(design, { backend: FAST_BACKEND });
      try {
        await sim.reset();
        const C = K / 2 + 1;
        // one tile into an idle unit
        const one = randomTiles(T, 1, K * T, 1000);
        const a = await drive(sim, K, T, one, 0, 1);
        expect(a.outs[0]!.cycle - a.accepted[T - 1]!).toBe(fft2dForwardLatency(K));
        checkOutputs(K, T, one, a.outs);
        // ten tiles back to back, in_valid always high
        const tiles = randomTiles(T, 10, K * T + 1, 2 ** 14);
        const b = await drive(sim, K, T, tiles, 0, 2);
        checkOutputs(K, T, tiles, b.outs);
        const firstCols = b.outs.filter((o) => o.v === 0).map((o) => o.cycle);
        const period = (firstCols[9]! - firstCols[3]!) / 6;
        expect(period).toBe(fft2dForwardCyclesPerTile(K, T));
        // columns of a tile come out on consecutive cycles
        for (let n = 0; n < 10; n++) expect(b.outs[n * C + C - 1]!.cycle - b.outs[n * C]!.cycle).toBe(C - 1);

        // float: DFT2 / K^2 by fft.js, within the bound of a row FFT followed by a column FFT
        const f = new FFT(K);
        for (const [n, tile] of tiles.entries()) {
          const x = padTile(tile, K, T);
          const full2 = new Float64Array(2 * K * K);
          const inp = f.createComplexArray() as number[];
          const out = f.createComplexArray() as number[];
          for (let i = 0; i < K; i++) {
            for (let j = 0; j < K; j++) [inp[2 * j], inp[2 * j + 1]] = [x[i * K + j]!, 0];
            f.transform(out, inp);
            for (let j = 0; j < 2 * K; j++) full2[2 * i * K + j] = out[j]!;
          }
          const A = Math.max(...x.map(Math.abs));
          const bound = fftErrorBound(K, A, F, fftErrorBound(K, A, F));
          expect(bound).toBeLessThan(2 * Math.log2(K) * 2.5);
          for (let v = 0; v < C; v++) {
            for (let i = 0; i < K; i++) [inp[2 * i], inp[2 * i + 1]] = [full2[2 * (i * K + v)]!, full2[2 * (i * K + v) + 1]!];
            f.transform(out, inp);
            const o = b.outs[n * C + v]!;
            for (let u = 0; u < K; u++) {
              const e = Math.hypot(o.re[u]! - out[2 * u]! / (K * K), o.im[u]! - out[2 * u + 1]! / (K * K));
              expect(e, `tile ${n} (u, v) = (${u}, ${v})`).toBeLessThanOrEqual(bound);
            }
          }
        }
      } finally {
        await sim.close();
      }
    });
  }
});
