/**
 * The layer file: conversion to the fixed-point layer, and errors that name the field and the
 * value: the schema's (types, ranges, unknown fields by name) and the checks across fields
 * (shapes, an FFT larger than the map needs, an outFrac that saturates or zeroes every output).
 */
import { describe, expect, it } from "vitest";
import { layerFromJson } from "../../hdl/spec2/layer-file";
import { halfPlaneSize } from "../../spectral/layout";
import { rng } from "../helpers/rng";

function layerJson(over: Record<string, unknown> = {}): Record<string, unknown> {
  const r = rng(1);
  const [cin, cout, k] = [2, 3, 3];
  return {
    inChannels: cin, outChannels: cout, height: 7, width: 9, kernelSize: k, padding: 1, fftSize: 8,
    weights: Array.from({ length: cout }, () => Array.from({ length: cin }, () => Array.from({ length: k }, () => Array.from({ length: k }, () => r() - 0.5)))),
    bias: Array.from({ length: cout }, () => r() - 0.5),
    density: 1,
    ...over,
  };
}

describe("layer file", () => {
  it("keeps every entry at density 1 and exactly n per kernel below", () => {
    const dense = layerFromJson(layerJson(), "L.json");
    expect(dense.layer.kernels.every((k) => k.length === halfPlaneSize(8))).toBe(true);
    const pruned = layerFromJson(layerJson({ density: 0.25 }), "L.json");
    expect(pruned.layer.kernels.every((k) => k.length === 10)).toBe(true);
    expect(dense.parallelism).toEqual({ pOut: 3, pIn: 1 });
    expect(layerFromJson(layerJson({ parallelism: { pOut: 2, pIn: 2 } }), "L.json").parallelism).toEqual({ pOut: 2, pIn: 2 });
  });

  it("weightBits narrows the weight words: 8-bit re and im, the largest kept value in the top binade", () => {
    const wide = layerFromJson(layerJson({ density: 0.25 }), "L.json").layer;
    const narrow = layerFromJson(layerJson({ density: 0.25, weightBits: 8 }), "L.json").layer;
    expect([wide.formats.weightBits, narrow.formats.weightBits]).toEqual([16, 8]);
    const words = narrow.kernels.flat().flatMap((e) => [e.re, e.im]);
    const peak = Math.max(...words.map(Math.abs));
    expect(peak).toBeGreaterThan(63);
    expect(peak).toBeLessThanOrEqual(127);
    // the same kept positions; each word the 16-bit one at 8 fewer fraction bits, to within a step
    expect(narrow.formats.weightFrac).toBe(wide.formats.weightFrac - 8);
    narrow.kernels.forEach((k, i) => k.forEach((e, j) => {
      const w = wide.kernels[i]![j]!;
      expect(e.index).toBe(w.index);
      expect(Math.abs(e.re - w.re / 256)).toBeLessThanOrEqual(1);
      expect(Math.abs(e.im - w.im / 256)).toBeLessThanOrEqual(1);
    }));
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ["missing field", { height: undefined }, /^L\.json: missing field "height"$/],
    ["non-integer", { padding: 1.5 }, /^L\.json: padding = 1\.5 must be an integer from 0 to 30$/],
    ["a string for a number", { height: "7" }, /^L\.json: height = "7" must be an integer from 1 to 2048$/],
    ["unknown field reLU", { reLU: true }, /^L\.json: unknown field "reLU" \(did you mean "relu"\?\): the fields are inChannels, outChannels, height, width, kernelSize, padding, fftSize, weights, bias, density, relu, inputRange, outFrac, weightBits, parallelism$/],
    ["unknown field densty", { densty: 0.5 }, /^L\.json: unknown field "densty" \(did you mean "density"\?\)/],
    ["unknown field pout", { parallelism: { pout: 2 } }, /^L\.json: unknown field "pout" in parallelism \(did you mean "pOut"\?\): the fields are pOut, pIn, fftLanes, ifftLanes, xWords, drainWords, loadWords$/],
    ["height 1e9", { height: 1e9 }, /^L\.json: height = 1000000000 must be an integer from 1 to 2048$/],
    ["fftSize 4294967300", { fftSize: 4294967300 }, /^L\.json: fftSize = 4294967300 must be an integer from 2 to 64$/],
    ["fftSize 1048576", { fftSize: 1048576 }, /^L\.json: fftSize = 1048576 must be an integer from 2 to 64$/],
    ["padding as wide as the kernel", { padding: 3 }, /^L\.json: padding = 3 must be less than kernelSize = 3: wider padding only adds outputs that see no input$/],
    ["outFrac that saturates everything", { outFrac: 40 }, /^L\.json: outFrac = 40 saturates every output: 16-bit outputs with 40 fraction bits reach only 2\.98e-8, less than the smallest non-zero output \([\d.e-]+\); this layer's outputs \(\|y\| <= [\d.]+\) fit outFrac = \d+$/],
    ["outFrac that rounds everything to 0", { outFrac: -20 }, /^L\.json: outFrac = -20 rounds every output to 0: its step 1048576 is more than twice this layer's largest \|y\| \([\d.]+\); use outFrac = \d+$/],
    ["even kernel", { kernelSize: 4 }, /^L\.json: kernelSize = 4 must be odd$/],
    ["FFT size", { fftSize: 6 }, /^L\.json: fftSize = 6 is not a power of two$/],
    ["FFT too small", { fftSize: 2 }, /^L\.json: fftSize = 2 must be greater than kernelSize = 3$/],
    ["FFT larger than the map needs", { fftSize: 32 }, /^L\.json: fftSize = 32 is larger than the 16 that covers the whole 7 x 9 map in one tile: a larger FFT only adds work$/],
    ["density", { density: 0 }, /^L\.json: density = 0 must be in \(0, 1\]$/],
    ["weightBits", { weightBits: 20 }, /^L\.json: weightBits = 20 must be an integer from 4 to 16$/],
    ["weights shape", { weights: [[[[1]]]] }, /^L\.json: weights has 1 entries, expected 3$/],
    ["non-finite weight", { weights: layerJson().weights && JSON.parse(JSON.stringify(layerJson().weights).replace(/^\[\[\[\[[^,]+/, "[[[[null")) }, /^L\.json: weights\[0\]\[0\]\[0\]\[0\] = null is not a finite number$/],
    ["bias length", { bias: [1, 2] }, /^L\.json: bias has 2 entries, expected 3$/],
    ["parallelism", { parallelism: { pOut: 9 } }, /^L\.json: parallelism\.pOut = 9 exceeds outChannels = 3$/],
    ["parallelism value", { parallelism: { pIn: 0 } }, /^L\.json: parallelism\.pIn = 0 must be an integer from 1 to 1024$/],
  ];
  it("6 x 6 with fftSize 1024 is rejected at once, not simulated for minutes", () => {
    const t0 = Date.now();
    expect(() => layerFromJson(layerJson({ height: 6, width: 6, fftSize: 1024 }), "L.json")).toThrow(/^L\.json: fftSize = 1024 must be an integer from 2 to 64$/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  for (const [what, over, message] of bad) {
    it(`rejects: ${what}`, () => {
      const json = layerJson(over);
      for (const [k, v] of Object.entries(over)) if (v === undefined) delete json[k];
      expect(() => layerFromJson(json, "L.json")).toThrow(message);
    });
  }
});
