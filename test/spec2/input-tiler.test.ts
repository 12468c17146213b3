/**
 * The input buffer and tiler: rows of every zero-padded T x T tile, in the
 * order the golden model builds its tiles, with random stalls downstream.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../hdl/core";
import { InputTiler } from "../../hdl/spec2/input-tiler";
import { makePlan } from "../../spectral/conv";
import { defaultFormats, type FixedLayer } from "../../spectral/fixed";
import { runBatch, type Stimulus } from "../../sim";
import { expectCleanVerilog } from "../helpers/verilog-tools";
import { randInt, rng } from "../helpers/rng";

interface Shape { cin: number; h: number; w: number; k: number; p: number; K: number }

async function check(s: Shape, seed: number, lint = false): Promise<void> {
  const r = rng(seed);
  const layer: FixedLayer = { ...s, cout: 1, relu: false, formats: defaultFormats(s.K, 14, 12, 12), kernels: [[]], bias: [0] };
  const { T, tilesX, tilesY, cin, h, w, p } = makePlan(layer);
  const design = elaborate(InputTiler, layer);
  if (lint) await expectCleanVerilog(design.verilog, design.top);
  const x = Array.from({ length: cin * h * w }, () => randInt(r, -32768, 32767));
  // Expected rows, as the golden model cuts its tiles.
  const expected: number[][] = [];
  for (let ty = 0; ty < tilesY; ty++)
    for (let tx = 0; tx < tilesX; tx++)
      for (let i = 0; i < cin; i++)
        for (let a = 0; a < T; a++) {
          const row: number[] = [];
          for (let b = 0; b < T; b++) {
            const rr = ty * T + a - p;
            const cc = tx * T + b - p;
            row.push(rr >= 0 && rr < h && cc >= 0 && cc < w ? x[(i * h + rr) * w + cc]! : 0);
          }
          expected.push(row);
        }
  const stimulus: Stimulus[] = x.map((v) => ({ load_valid: 1, load_data: v, out_ready: 0 }));
  for (let c = 0; c < expected.length * 2 + 20; c++) stimulus.push({ load_valid: 0, out_ready: r() < 0.7 ? 1 : 0 });
  const samples = await runBatch(design, stimulus, { resetCycles: 1 });
  const rows: number[][] = [];
  samples.forEach((smp, c) => {
    if (smp.out_valid === 1 && stimulus[c]!.out_ready === 1) {
      rows.push(Array.from({ length: T }, (_, b) => Number(smp[`out_row_${b}`])));
      expect(smp.out_first).toBe((rows.length - 1) % T === 0 ? 1 : 0);
    }
  });
  expect(rows.length).toBe(expected.length);
  expect(rows).toEqual(expected);
  expect(samples[samples.length - 1]!.done).toBe(1);
}

describe("InputTiler produces the golden model's tiles", () => {
  it("LeNet conv1 (1 x 28x28, k5, K8)", () => check({ cin: 1, h: 28, w: 28, k: 5, p: 0, K: 8 }, 1, true));
  it("LeNet conv2 (6 x 12x12, k5, K8)", () => check({ cin: 6, h: 12, w: 12, k: 5, p: 0, K: 8 }, 2));
  it("padding, T not a power of two (3 x 11x7, k3 p1, K8: T = 6)", () => check({ cin: 3, h: 11, w: 7, k: 3, p: 1, K: 8 }, 3));
  it("K4 k3 p2", () => check({ cin: 2, h: 5, w: 9, k: 3, p: 2, K: 4 }, 4));
});
