/**
 * The overlap-add unit against an independent model of golden steps 6-7
 * (exact overlap-add of the blocks, crop at k-1, bias, ReLU, saturation),
 * for several layer shapes, with idle cycles between block rows.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../hdl/core";
import { OverlapAdd } from "../../hdl/spec2/overlap-add";
import { makePlan } from "../../spectral/conv";
import { defaultFormats, outputStage, type FixedLayer } from "../../spectral/fixed";
import { runBatch, type Stimulus } from "../../sim";
import { expectCleanVerilog } from "../helpers/verilog-tools";
import { randInt, rng } from "../helpers/rng";

interface Shape { cout: number; h: number; w: number; k: number; p: number; K: number; relu: boolean }

function layerOf(s: Shape, r: () => number): FixedLayer {
  return {
    cin: 1, cout: s.cout, h: s.h, w: s.w, k: s.k, p: s.p, K: s.K, relu: s.relu,
    formats: defaultFormats(s.K, 12, 12, 10),
    kernels: Array.from({ length: s.cout }, () => []),
    bias: Array.from({ length: s.cout }, () => randInt(r, -3000, 3000)),
  };
}

async function check(s: Shape, seed: number, lint = false): Promise<void> {
  const r = rng(seed);
  const layer = layerOf(s, r);
  const pl = makePlan(layer);
  const { K, T, k, cout, ho, wo, tilesX, tilesY } = pl;
  const ib = layer.formats.ifftBits;
  const design = elaborate(OverlapAdd, layer);
  if (lint) await expectCleanVerilog(design.verilog, design.top);

  const z = new Float64Array(cout * ho * wo);
  const stimulus: Stimulus[] = [];
  const limit = 2 ** (ib - 4); // some outputs saturate, most do not
  for (let ty = 0; ty < tilesY; ty++)
    for (let tx = 0; tx < tilesX; tx++)
      for (let o = 0; o < cout; o++)
        for (let a = 0; a < K; a++) {
          const row = Array.from({ length: K }, () => randInt(r, -limit, limit));
          const zr = ty * T + a - (k - 1);
          row.forEach((v, b) => {
            const zc = tx * T + b - (k - 1);
            if (zr >= 0 && zr < ho && zc >= 0 && zc < wo) z[(o * ho + zr) * wo + zc] += v;
          });
          const st: Record<string, number> = { in_valid: 1 };
          row.forEach((v, b) => (st[`in_row_${b}`] = v));
          stimulus.push(st);
          if (r() < 0.2) stimulus.push({ in_valid: 0 });
        }
  for (let i = 0; i < T * cout * Math.ceil(wo / K) + 10; i++) stimulus.push({ in_valid: 0 });

  const samples = await runBatch(design, stimulus, { resetCycles: 1 });
  const got = new Map<number, number>();
  for (const smp of samples) {
    expect(smp.overrun).toBe(0);
    if (smp.out_valid !== 1) continue;
    const o = Number(smp.out_channel);
    const row = Number(smp.out_row);
    const col = Number(smp.out_col);
    for (let j = 0; j < K; j++) {
      if (((Number(smp.out_mask) >> j) & 1) === 0) continue;
      const q = (o * ho + row) * wo + col + j;
      expect(got.has(q), `output ${o},${row},${col + j} emitted twice`).toBe(false);
      got.set(q, Number(smp[`out_values_${j}`]));
    }
  }
  expect(got.size).toBe(cout * ho * wo);
  for (let q = 0; q < z.length; q++) {
    const o = Math.floor(q / (ho * wo));
    expect(got.get(q), `output word ${q}`).toBe(outputStage(z[q]!, layer.bias[o]!, layer.relu, layer.formats.actBits));
  }
}

describe("OverlapAdd matches exact overlap-add with bias, ReLU and saturation", () => {
  it("LeNet conv1 shape (6 x 28x28, k5, K8)", () => check({ cout: 6, h: 28, w: 28, k: 5, p: 0, K: 8, relu: true }, 1, true));
  it("LeNet conv2 shape (16 x 12x12, k5, K8), no ReLU", () => check({ cout: 16, h: 12, w: 12, k: 5, p: 0, K: 8, relu: false }, 2));
  it("padding and sizes that are not multiples of the tile (k3 p1, 11x7, K8)", () => check({ cout: 3, h: 11, w: 7, k: 3, p: 1, K: 8, relu: true }, 3));
  it("K4, k3", () => check({ cout: 2, h: 9, w: 10, k: 3, p: 1, K: 4, relu: false }, 4));
  it("K16, k7 p3", () => check({ cout: 2, h: 20, w: 18, k: 7, p: 3, K: 16, relu: true }, 5));
});
