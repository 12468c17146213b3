/**
 * bench/vgg16-engine.ts: the built engine's full-size VGG16 figures from its cycle model, at
 * batches 1 and 16, are consistent (time from the clocks at the stated clock, TOP/s from VGG16's 30.69 G operations,
 * the passes a 32-channel pass limit gives), and the model's error is read from a run-network
 * JSON; a missing validation file is one line, exit 2.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "bench/vgg16-engine.ts", ...args], { encoding: "utf8", timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("bench/vgg16-engine.ts", () => {
  it("--json: batches 1 and 16, 13 layers, passes of at most 32 output channels, time and TOP/s from the clocks; a batch reads each weight once", () => {
    const r = run(["--json", "--clock", "250", "--validation", "bench/results/engine-vgg16-32.json,bench/results/engine-vgg16-32-b4.json"]);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.batches.map((b: { batch: number }) => b.batch)).toEqual([1, 16]);
    for (const b of j.batches) {
      expect(b.layers.map((l: { name: string }) => l.name)).toHaveLength(13);
      expect(b.layers.map((l: { passes: number }) => l.passes)).toEqual([2, 2, 4, 4, 8, 8, 8, 16, 16, 16, 16, 16, 16]);
      const clocks = b.layers.reduce((s: number, l: { clocks: number }) => s + l.clocks, 0);
      expect(b.msPerImage).toBeCloseTo(clocks / 250e3, 6);
      expect(b.topsEquivalent).toBeCloseTo(30.69e9 / (b.msPerImage / 1000) / 1e12, 2);
    }
    const [one, sixteen] = j.batches;
    // per image, the weight phase is a sixteenth at batch 16
    one.layers.forEach((l: { weights: number }, i: number) => expect(sixteen.layers[i].weights).toBeCloseTo(l.weights / 16, -1));
    expect(sixteen.msPerImage).toBeLessThan(one.msPerImage);
    // the 8 x 8 build's resources, from bench/engine-synth.ts's committed result
    const synth = JSON.parse(readFileSync("bench/results/engine-synth.json", "utf8"));
    expect(j.resources).toEqual(synth.resources);
    expect(Object.keys(j.resources).sort()).toEqual(["bram36", "dsp", "ff", "lutSites"]);
    expect(j.validation.layers).toBe(13);
    expect(j.validation.runs.map((v: { batch: number; images: number }) => [v.batch, v.images])).toEqual([[1, 1], [4, 4]]);
    expect(j.validation.maxCycleError).toBe(Math.max(...j.validation.runs.map((v: { maxCycleError: number }) => v.maxCycleError)));
    expect(j.validation.maxCycleError).toBeLessThan(0.05);
  }, 240_000);

  it("--batches out of the build's range is one line, exit 2", () => {
    const r = run(["--batches", "1,32"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^vgg16-engine: --batches 1,32: expected integers in 1..16 separated by commas \(for example 1,16\)$/m);
  }, 240_000);

  it("a validation file that cannot be read is one line, exit 2", () => {
    const r = run(["--validation", "no-such.json"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^vgg16-engine: --validation no-such\.json: cannot be read as JSON \(ENOENT/m);
  }, 240_000);
});
