/** The layer file: conversion to the fixed-point layer, and errors that name the field. */
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

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ["missing field", { height: undefined }, /^L\.json: missing field "height"$/],
    ["non-integer", { padding: 1.5 }, /^L\.json: padding = 1\.5 must be an integer >= 0$/],
    ["even kernel", { kernelSize: 4 }, /^L\.json: kernelSize = 4 must be odd$/],
    ["FFT size", { fftSize: 6 }, /^L\.json: fftSize = 6 is not a power of two$/],
    ["FFT too small", { fftSize: 2 }, /^L\.json: fftSize = 2 must be greater than kernelSize = 3$/],
    ["density", { density: 0 }, /^L\.json: density = 0 must be in \(0, 1\]$/],
    ["weights shape", { weights: [[[[1]]]] }, /^L\.json: weights has 1 entries, expected 3$/],
    ["non-finite weight", { weights: layerJson().weights && JSON.parse(JSON.stringify(layerJson().weights).replace(/^\[\[\[\[[^,]+/, "[[[[null")) }, /^L\.json: weights\[0\]\[0\]\[0\]\[0\] = null is not a finite number$/],
    ["bias length", { bias: [1, 2] }, /^L\.json: bias has 2 entries, expected 3$/],
    ["parallelism", { parallelism: { pOut: 9 } }, /^L\.json: parallelism\.pOut = 9 exceeds outChannels = 3$/],
  ];
  for (const [what, over, message] of bad) {
    it(`rejects: ${what}`, () => {
      const json = layerJson(over);
      for (const [k, v] of Object.entries(over)) if (v === undefined) delete json[k];
      expect(() => layerFromJson(json, "L.json")).toThrow(message);
    });
  }
});
