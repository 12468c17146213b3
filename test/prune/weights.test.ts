import { mkdtempSync, readFileSync, writeFileSync, cpSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goldenConvLayer } from "../../spectral/fixed/layer";
import { quantizeActivations } from "../../spectral/fixed/quantize";
import { buildManifest } from "../../prune/export";
import { quantizeNet } from "../../prune/fixedeval";
import { initParams, LeNet } from "../../prune/lenet";
import { loadMnist } from "../../prune/mnist";
import { fixedLayerOf, loadWeights, packEntry, unpackEntry, validateManifest, writeWeights, type Manifest } from "../../spectral/weights";
import { applyMasks, masksFromWeights } from "../../prune/train";
import { parseRunArgs } from "../../prune/run-options";
import { checkKernelFits } from "../../spectral/layout";

let dir: string;
let manifest: Manifest;
const tmp: string[] = [];

function mutated(f: (m: Record<string, any>) => void): string {
  const d = mkdtempSync(join(tmpdir(), "spec2-w-"));
  tmp.push(d);
  cpSync(dir, d, { recursive: true });
  const m = JSON.parse(readFileSync(join(d, "manifest.json"), "utf8"));
  f(m);
  writeFileSync(join(d, "manifest.json"), JSON.stringify(m));
  return d;
}

beforeAll(() => {
  const train = loadMnist("train", 200);
  const theta = initParams(5);
  const net = new LeNet();
  const masks = masksFromWeights(net, 10, theta);
  applyMasks(net, theta, masks);
  const layers = quantizeNet(net, theta, masks, train);
  manifest = buildManifest(0.25, 5, "test", [
    ["conv1", layers[0]!],
    ["conv2", layers[1]!],
  ]);
  dir = mkdtempSync(join(tmpdir(), "spec2-w-"));
  tmp.push(dir);
  writeWeights(dir, manifest);
});
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

describe("weights directory format", () => {
  it("ROM words pack {index, re, im} MSB first, two's complement", () => {
    expect(packEntry({ index: 39, re: -1, im: 2 }, 6, 16)).toBe("27ffff0002");
    expect(packEntry({ index: 0, re: -32768, im: 32767 }, 6, 16)).toBe("0080007fff");
    for (const e of [
      { index: 39, re: -1, im: 2 },
      { index: 5, re: -32768, im: 32767 },
      { index: 0, re: 0, im: -7 },
    ])
      expect(unpackEntry(packEntry(e, 6, 16), 6, 16)).toEqual(e);
  });

  it("round-trips through writeWeights / loadWeights, and the loaded layers compute the same", () => {
    const m = loadWeights(dir);
    expect(m).toEqual(JSON.parse(JSON.stringify(manifest)));
    const rom = readFileSync(join(dir, "conv2.hex"), "utf8").trim().split("\n");
    expect(rom.length).toBe(16 * 6 * 10);
    expect(rom.every((l) => /^[0-9a-f]{10}$/.test(l))).toBe(true);
    const l1 = fixedLayerOf(m, 0);
    const x = quantizeActivations(loadMnist("test", 1).images, 14);
    const y = goldenConvLayer(l1, x);
    expect(y.length).toBe(6 * 24 * 24);
    expect(m.layers[0]!.kernels.flat().every((k) => k.entries.length === 10)).toBe(true);
  });

  it("names the field and kernel in errors", () => {
    const d1 = mutated((m) => (m.layers[1].kernels[3][2].entries[4].index = 57));
    expect(() => loadWeights(d1)).toThrow(`${join(d1, "manifest.json")}: layers[1].kernels[3][2].entries[4].index = 57 is outside the 40-entry half plane`);
    const d2 = mutated((m) => m.layers[0].kernels[1][0].entries.pop());
    expect(() => loadWeights(d2)).toThrow("layers[0].kernels[1][0].entries has 9 entries, expected exactly n = 10");
    const d3 = mutated((m) => (m.density = 1.5));
    expect(() => loadWeights(d3)).toThrow("manifest.json: density = 1.5 is outside (0, 1]");
    const d4 = mutated((m) => (m.K = 12));
    expect(() => loadWeights(d4)).toThrow("manifest.json: K = 12 is not a power of two");
    const d5 = mutated((m) => {
      m.K = 4;
    });
    expect(() => loadWeights(d5)).toThrow(/n = 10, expected round\(density \* 12\) = 3/);
    const d6 = mutated((m) => (m.layers[0].kernels[0][0].entries[0].re += 1));
    expect(() => loadWeights(d6)).toThrow(/conv1\.hex: line 1 = .* differs from layers\[0\]\.kernels\[0\]\[0\]\.entries\[0\]|is not the conjugate of entry index/);
    const d7 = mutated((m) => delete m.layers[1].formats.weightFrac);
    expect(() => loadWeights(d7)).toThrow("layers[1].formats.weightFrac is missing");
    const d8 = mutated((m) => (m.version = 2));
    expect(() => loadWeights(d8)).toThrow("manifest.json: version = 2, this loader reads version 1");
    const d9 = mutated(() => undefined);
    writeFileSync(join(d9, "conv2.hex"), "zz\n");
    expect(() => loadWeights(d9)).toThrow(/conv2\.hex: 1 words, expected layers\[1\]\.rom\.words = 960/);
    expect(() => loadWeights(join(d9, "nope"))).toThrow("weights directory does not exist");
    const d10 = mutated(() => undefined);
    rmSync(join(d10, "manifest.json"));
    expect(() => loadWeights(d10)).toThrow(/manifest\.json: cannot read/);
    expect(existsSync(dir)).toBe(true);
  });

  it("rejects a kernel size not below K and an unpaired conjugate entry", () => {
    const m = JSON.parse(JSON.stringify(manifest));
    m.layers[0].kernelSize = 9;
    expect(() => validateManifest(m, "w.json")).toThrow("w.json: layers[0].kernelSize = 9: FFT size K = 8 must be greater than the kernel size k = 9");
    const m2 = JSON.parse(JSON.stringify(manifest));
    const ents = m2.layers[0].kernels[0][0].entries as { index: number; re: number; im: number }[];
    // column v = 0, u = 1 is index 5; its partner u = 7 is index 35
    const pairIdx = ents.findIndex((e) => e.index === 5 || e.index === 35);
    if (pairIdx >= 0) {
      ents[pairIdx]!.im += 1;
      expect(() => validateManifest(m2, "w.json")).toThrow(/is not the conjugate of entry index/);
    }
    expect(() => checkKernelFits(6, 3)).toThrow("FFT size K = 6 is not a power of two >= 2");
  });

  it("CLI arguments are checked, naming the option and the value", () => {
    expect(() => parseRunArgs(["--density", "1.5"])).toThrow("density = 1.5 is outside (0, 1]");
    expect(() => parseRunArgs(["--density", "0"])).toThrow("density = 0 is outside (0, 1]");
    expect(() => parseRunArgs(["--density", "x"])).toThrow("--density = x is not a number");
    expect(() => parseRunArgs(["--epochs", "x"])).toThrow("--epochs = x is not an integer >= 1");
    expect(() => parseRunArgs(["--lr", "0"])).toThrow("--lr = 0 is not a number > 0");
    expect(() => parseRunArgs(["--network", "resnet"])).toThrow("--network resnet: unknown; one of lenet, vgg-mnist");
    expect(() => parseRunArgs(["--epoch", "3"])).toThrow("Unknown option '--epoch'");
    expect(() => parseRunArgs(["--density", "0.01"])).toThrow("--density 0.01 keeps n = round(0.01 * 40) = 0 entries per kernel: the minimum density is 0.0125 (n = 1)");
    expect(parseRunArgs(["--density", "0.0125"]).density).toBe(0.0125);
    expect(parseRunArgs(["--density", "0.5", "--seed", "7"]).train.seed).toBe(7);
    expect(parseRunArgs(["--network", "vgg-mnist"]).out).toBe("weights/vgg-mnist");
    expect(parseRunArgs([]).out).toBe("weights/lenet");
  });
});
