/**
 * bench/vgg16.ts: the built engine's full-size VGG16 figures from its cycle model, at
 * batches 1 and 16, are consistent (time from the clocks at the stated clock, TOP/s from VGG16's
 * 30.69 G operations, the passes a 64-channel pass limit gives, bytes per image above what the
 * weights and maps must move), the resources and the composition check come from
 * bench/engine-synth.ts's result, and the model's error is read from run-network JSON; a
 * missing validation file is one line, exit 2.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "bench/vgg16.ts", ...args], { encoding: "utf8", timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("bench/vgg16.ts", () => {
  it("--json: batches 1 and 16, 13 layers, passes of at most 64 output channels, time and TOP/s from the clocks, the bytes per image; a batch reads each weight once", () => {
    const r = run(["--json", "--clock", "250", "--validation", "bench/results/engine-vgg16-32.json,bench/results/engine-vgg16-32-b4.json"]);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.batches.map((b: { batch: number }) => b.batch)).toEqual([1, 16]);
    for (const b of j.batches) {
      expect(b.layers.map((l: { name: string }) => l.name)).toHaveLength(13);
      expect(b.layers.map((l: { passes: number }) => l.passes)).toEqual([1, 1, 2, 2, 4, 4, 4, 8, 8, 8, 8, 8, 8]);
      // VGG16's 1,634,496 kernels at 10 entries each, 26 bits a PE entry (8-bit re and im) in whole beats a row, once an image at batch 1
      if (b.batch === 1) expect(b.weightBytesPerImage).toBeGreaterThan((1_634_496 * 10 * 26) / 8);
      // the maps: every layer's input read once a pass, its output written once
      const inputs = [3, 64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512].map((c, i) => c * [224, 224, 112, 112, 56, 56, 56, 28, 28, 28, 14, 14, 14][i]! ** 2 * 2);
      expect(b.mapBytesPerImage).toBeGreaterThan(inputs.reduce((s, x) => s + x, 0));
      expect(b.dramBoundLayers).toEqual(b.layers.filter((l: { bound: string }) => l.bound === "memory").map((l: { name: string }) => l.name));
      const clocks = b.layers.reduce((s: number, l: { clocks: number }) => s + l.clocks, 0);
      expect(b.msPerImage).toBeCloseTo(clocks / 250e3, 6);
      expect(b.topsEquivalent).toBeCloseTo(30.69e9 / (b.msPerImage / 1000) / 1e12, 2);
    }
    const [one, sixteen] = j.batches;
    // per image, the weights read are a sixteenth at batch 16; the maps the same
    one.layers.forEach((l: { weightBytes: number; mapBytes: number }, i: number) => {
      expect(sixteen.layers[i].weightBytes).toBeCloseTo(l.weightBytes / 16, -1);
      expect(sixteen.layers[i].mapBytes).toBe(l.mapBytes);
    });
    expect(sixteen.msPerImage).toBeLessThan(one.msPerImage);
    // the build's resources, from bench/engine-synth.ts's committed result, with the composition check at the reduced grid
    const synth = JSON.parse(readFileSync("bench/results/engine-synth.json", "utf8"));
    expect(j.resources).toEqual(synth.resources);
    expect(j.synthesis.reduced.whole).toEqual(synth.reduced.whole);
    expect(Math.abs(j.synthesis.reduced.compositionError.lut)).toBeLessThan(0.05);
    expect(j.synthesis.fits).toBe(true);
    expect(Object.keys(j.resources).sort()).toEqual(["bram36", "dsp", "ff", "lutSites"]);
    expect(j.validation.layers).toBe(13);
    expect(j.validation.runs.map((v: { batch: number; images: number }) => [v.batch, v.images])).toEqual([[1, 1], [4, 4]]);
    expect(j.validation.maxCycleError).toBe(Math.max(...j.validation.runs.map((v: { maxCycleError: number }) => v.maxCycleError)));
    expect(j.validation.maxCycleError).toBeLessThan(0.05);
  }, 240_000);

  it("validates against the committed RTL runs by default: 4 x 4 PEs at batches 1 and 4, and the build's 16 x 8 grid; the model's bytes exact", () => {
    const r = run(["--json", "--batches", "1"]);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.validation.runs.map((v: { file: string }) => v.file)).toEqual(["bench/results/engine-vgg16-32.json", "bench/results/engine-vgg16-32-b4.json", "bench/results/engine-vgg16-32-16x8.json"]);
    expect(j.validation.maxByteError).toBe(0);
    const grid = JSON.parse(readFileSync("bench/results/engine-vgg16-32-16x8.json", "utf8"));
    expect([grid.pes, grid.maxDepth, grid.mismatches]).toEqual([{ pOut: j.build.pOut, pIn: j.build.pIn }, j.build.maxDepth, 0]);
  }, 240_000);

  it("--batches out of the build's range is one line, exit 2", () => {
    const r = run(["--batches", "1,32"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^vgg16: --batches 1,32: expected integers in 1..16 separated by commas \(for example 1,16\)$/m);
  }, 240_000);

  it("a validation file that cannot be read is one line, exit 2", () => {
    const r = run(["--validation", "no-such.json"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^vgg16: --validation no-such\.json: cannot be read as JSON \(ENOENT/m);
  }, 240_000);
});
