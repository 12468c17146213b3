/**
 * The engine running whole networks (network-driver.ts): the committed LeNet-5 (k 5, no padding,
 * two pooled layers) and vgg-mnist (five 3x3 layers whose fraction bits give macShift 7 to 9,
 * so the build's shift is chosen per layer) on MNIST test digits, one build per network, every
 * layer's output read back from the memory model. The last layer's output is checked here against
 * goldenConvLayer chained through the layers with a 2x2 max-pool written in this test; the
 * driver's own per-layer comparison must report 0 mismatches. JS backend and Icarus, one image a
 * command and batches of several (one weight fetch for the batch); the engine model's memory
 * bytes equal those counted at the port on every layer. Also: the
 * build chosen for a network, and the layer lists no build can share.
 */
import { describe, expect, it } from "vitest";
import { goldenConvLayer, type FixedLayer } from "../../../spectral/fixed";
import { makePlan } from "../../../spectral/conv";
import { layerPasses, networkBuild, runNetwork, type NetworkLayer, type NetworkRun } from "../../../hdl/spec2/engine/network-driver";
import { trainedNetwork } from "../../../hdl/spec2/engine/networks";
import type { Backend } from "../../../sim";

/** 2x2 max-pooling, stride 2, floor, of a [c][h][w] map (written here, apart from the driver's). */
function pool(y: ArrayLike<number>, c: number, h: number, w: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < c; o++)
    for (let a = 0; a + 1 < h; a += 2)
      for (let b = 0; b + 1 < w; b += 2) out.push(Math.max(y[(o * h + a) * w + b]!, y[(o * h + a) * w + b + 1]!, y[(o * h + a + 1) * w + b]!, y[(o * h + a + 1) * w + b + 1]!));
  return out;
}

function goldenNetwork(layers: readonly NetworkLayer[], x: ArrayLike<number>): number[] {
  let v: ArrayLike<number> = x;
  for (const l of layers) {
    const q = makePlan(l.fixed);
    const y = goldenConvLayer(l.fixed, v);
    v = l.pool ? pool(y, q.cout, q.ho, q.wo) : Array.from(y);
  }
  return Array.from(v);
}

async function check(name: "lenet" | "vgg-mnist", backend: Backend, images: number, more: { maxDepth?: number; chunk?: number; batch?: number } = {}): Promise<NetworkRun> {
  const net = trainedNetwork(name, images);
  const run = await runNetwork(net.layers, net.inputs, { pOut: 2, pIn: 2, backend, ...more });
  expect(run.layers.map((l) => l.name)).toEqual(net.layers.map((l) => l.name));
  expect(run.mismatches).toBe(0);
  net.inputs.forEach((x, i) => {
    const want = goldenNetwork(net.layers, x);
    expect(want.some((v) => v !== 0)).toBe(true);
    expect(Array.from(run.outputs[i]!)).toEqual(want);
  });
  for (const l of run.layers) {
    expect(l.cycles).toBeGreaterThan(0);
    expect(l.dramBytes).toBeGreaterThan(0);
    // the engine model's bytes (perf/engine-model.ts engineCommandBytes) equal the port's count
    expect(l.modelDramBytes).toBe(l.dramBytes);
    expect(l.peUtilisation).toBeGreaterThan(0);
    expect(l.peUtilisation).toBeLessThanOrEqual(1);
  }
  console.log(`${name} on ${backend}: ${run.layers.map((l) => `${l.name} ${l.cycles} clocks (model ${l.modelCycles})`).join(", ")}`);
  return run;
}

describe("the engine runs a network's conv layers from external memory, bit-exact with the golden model", () => {
  it("js: LeNet-5 (k 5, p 0, both layers pooled), two digits", () => check("lenet", "js", 2), 300_000);
  it("js: vgg-mnist (five 3x3 layers, macShift 7 to 9 in one build), two digits; the engine cycle model within 2% on the MAC-bound layers, 15% on all", async () => {
    const run = await check("vgg-mnist", "js", 2);
    const error = run.layers.map((l) => Math.abs(l.cycles - l.modelCycles) / l.cycles);
    expect(error.slice(3).every((e) => e < 0.02)).toBe(true);
    expect(error.every((e) => e < 0.15)).toBe(true);
  }, 300_000);
  it("iverilog: vgg-mnist, one digit", () => check("vgg-mnist", "iverilog", 1), 900_000);
  it("js: vgg-mnist with weight banks of 256 rows: the deeper layers in output-channel passes, three digits in chunks of two", async () => {
    const run = await check("vgg-mnist", "js", 3, { maxDepth: 256, chunk: 2 });
    // rows: ceil(C / pOut) ceil(cin / pIn) n. conv3 (8 -> 16): 20 C, so C = 12 (12 x 14 x 16 words
    // fill beats of 32); conv4 (16 -> 16) and conv5 (16 -> 32): 40 C, C <= 6, and C x 7 x 8 or
    // C x 3 x 8 words fill beats only for C a multiple of 4
    expect(run.passes).toEqual([[8], [8], [12, 4], [4, 4, 4, 4], new Array<number>(8).fill(4)]);
    expect(run.build.maxDepth).toBeLessThanOrEqual(256);
  }, 600_000);
  it("iverilog: LeNet-5, three digits in one batch (a command each pass runs the three images on one weight fetch), conv2 in four passes", async () => {
    const batched = await check("lenet", "iverilog", 3, { maxDepth: 64, batch: 3 });
    expect(batched.passes).toEqual([[6], [4, 4, 4, 4]]);
    expect(batched.build.maxBatch).toBe(3);
    const single = await check("lenet", "js", 3, { maxDepth: 64 });
    batched.layers.forEach((l, i) => {
      const one = single.layers[i]!;
      // the weights are read once instead of three times; the images' bands run back to back
      expect(l.dramBytes).toBeLessThan(one.dramBytes);
      expect(l.cycles).toBeLessThan(one.cycles);
      expect(Math.abs(l.cycles - l.modelCycles) / l.cycles).toBeLessThan(0.05);
    });
  }, 900_000);
  it("js: vgg-mnist, five digits in batches of two (the last batch one image), chunks of four", async () => {
    const run = await check("vgg-mnist", "js", 5, { batch: 2, chunk: 4 });
    expect(run.build.maxBatch).toBe(2);
  }, 600_000);

  it("the build fits every layer: channel and map maxima, the deepest schedule, the macShift range", () => {
    const { build: b, passes } = networkBuild(trainedNetwork("vgg-mnist", 1).layers, { pOut: 2, pIn: 2 });
    expect(passes.map((p) => p.length)).toEqual([1, 1, 1, 1, 1]);
    expect([b.maxCin, b.maxCout, b.maxHeight, b.maxWidth, b.macShifts]).toEqual([16, 32, 28, 28, { min: 7, max: 9 }]);
    // conv5: 16 x 32 kernels of 10 entries over 2 x 2 PEs
    expect(b.maxDepth).toBe((16 * 32 * 10) / 4);
  });

  it("a layer whose pOut output channels alone overflow a weight bank is rejected, naming it", () => {
    const conv5 = trainedNetwork("vgg-mnist", 1).layers[4]!;
    expect(() => layerPasses(conv5, { pOut: 2, pIn: 2, maxDepth: 50, wordsPerBeat: 32 })).toThrow("conv5: 2 output channels (one per PE row) need 80 weight rows, more than a bank's maxDepth = 50");
  });

  it("rejects layers that cannot share one build, naming each", () => {
    const layers = trainedNetwork("lenet", 1).layers;
    const vgg = trainedNetwork("vgg-mnist", 1).layers;
    const wide: FixedLayer = { ...layers[1]!.fixed, formats: { ...layers[1]!.fixed.formats, ifftBits: 24 } };
    expect(() => networkBuild([layers[0]!, { ...layers[1]!, fixed: wide }, vgg[0]!], { pOut: 2, pIn: 2 })).toThrow(
      "network: the layers cannot share one engine build: conv2: formats.ifftBits = 24 (conv1's is 22); conv1: k = 3 (conv1's is 5; a build serves one kernel size)",
    );
  });
});
