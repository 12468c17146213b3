/**
 * hdl/spec2/run-layer.ts end to end: a layer file and an input file in, Y.json out (output
 * against the golden model, cycles, useful MACs, PE utilisation, simulator), for one image and
 * for a batch; `--verilog` simulates a given netlist; bad files get an error naming the field
 * and no output file; `--out` is checked before anything runs; a missing file, a netlist that
 * does not compile or a missing simulator is a message, never a stack.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { elaborate } from "../../hdl/core";
import { Spec2Layer } from "../../hdl/spec2/layer";
import { layerFromJson } from "../../hdl/spec2/layer-file";
import { goldenConvLayer, quantizeActivations, dequantize } from "../../spectral/fixed";
import { rng } from "../helpers/rng";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-layer-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const r = rng(77);
const layerJson = {
  inChannels: 2, outChannels: 3, height: 9, width: 6, kernelSize: 3, padding: 1, fftSize: 8,
  weights: Array.from({ length: 3 }, () => Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => r() - 0.5)))),
  bias: [0.1, -0.2, 0.05],
  density: 0.5,
  relu: true,
  parallelism: { pOut: 2, pIn: 2 },
};
const randomMap = (): number[][][] => Array.from({ length: 2 }, () => Array.from({ length: 9 }, () => Array.from({ length: 6 }, () => r() * 2 - 1)));
const input = randomMap();
const batch = [input, randomMap(), randomMap()];
const write = (name: string, value: unknown): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
};
const L = write("L.json", layerJson);
const X = write("X.json", { input });
const XB = write("XB.json", { input: batch });

function run(args: string[], env: NodeJS.ProcessEnv = process.env): { status: number | null; stdout: string; stderr: string } {
  const p = spawnSync(process.execPath, ["--import", "tsx", "hdl/spec2/run-layer.ts", ...args], { encoding: "utf8", env });
  return { status: p.status, stdout: p.stdout, stderr: p.stderr };
}

function expectedOutput(map = input): number[][][] {
  const { layer } = layerFromJson(layerJson, "L.json");
  const words = quantizeActivations(Float64Array.from(map.flat(2)), layer.formats.inFrac, layer.formats.actBits);
  const y = dequantize(goldenConvLayer(layer, words), layer.formats.outFrac);
  return Array.from({ length: 3 }, (_, o) => Array.from({ length: 9 }, (_, row) => Array.from(y.subarray((o * 9 + row) * 6, (o * 9 + row + 1) * 6))));
}

describe("hdl/spec2/run-layer.ts", () => {
  it("runs a layer on Icarus and writes the golden output, cycles and simulator", () => {
    const out = path.join(dir, "Y.json");
    const p = run(["--layer", L, "--input", X, "--out", out]);
    expect(p.status, p.stderr).toBe(0);
    const y = JSON.parse(fs.readFileSync(out, "utf8")) as { output: number[][][]; cycles: number; simulator: string; peUtilisation: number };
    expect(y.simulator).toBe("iverilog");
    expect(y.cycles).toBeGreaterThan(54);
    expect(y.peUtilisation).toBeGreaterThan(0);
    expect(y.output).toEqual(expectedOutput());
  });

  it("runs a batch [N][Cin][H][W] back to back: output [N][Cout][Ho][Wo], cycles over the batch, useful MACs, utilisation", () => {
    const out = path.join(dir, "YB.json");
    const p = run(["--layer", L, "--input", XB, "--out", out, "--sim", "verilator"]);
    expect(p.status, p.stderr).toBe(0);
    const y = JSON.parse(fs.readFileSync(out, "utf8")) as { output: number[][][][]; images: number; cycles: number; usefulMacs: number; peUtilisation: number; simulator: string };
    expect(y.simulator).toBe("verilator");
    expect(y.images).toBe(3);
    expect(y.output).toEqual(batch.map((m) => expectedOutput(m)));
    const { layer } = layerFromJson(layerJson, "L.json");
    expect(y.usefulMacs).toBe(3 * 4 * layer.cin * layer.cout * layer.kernels[0]!.length); // 2 x 2 tiles of 6 x 6 per image
    expect(y.peUtilisation).toBeCloseTo(y.usefulMacs / (4 * y.cycles), 12);
  });

  it("simulates a given Verilog file with --verilog", () => {
    const { layer, parallelism } = layerFromJson(layerJson, "L.json");
    // the layer's modules, as top.ts --layer prints them
    const v = write("netlist.v", elaborate(Spec2Layer, { layer, ...parallelism }).verilog);
    const out = path.join(dir, "Y2.json");
    const p = run(["--layer", L, "--input", X, "--out", out, "--verilog", v]);
    expect(p.status, p.stderr).toBe(0);
    expect((JSON.parse(fs.readFileSync(out, "utf8")) as { output: unknown }).output).toEqual(expectedOutput());
  });

  const bad: [string, () => string[], RegExp][] = [
    ["missing --out", () => ["--layer", L, "--input", X], /^run-layer: missing --out\nusage: npx tsx hdl\/spec2\/run-layer\.ts/],
    ["an unknown option", () => ["--layer", L, "--input", X, "--out", "y.json", "--frobnicate"], /^run-layer: Unknown option '--frobnicate'[^\n]*\nusage: /],
    ["a missing --verilog file", () => ["--layer", L, "--input", X, "--out", "y.json", "--verilog", path.join(dir, "nope.v")], /^run-layer: --verilog .*nope\.v: cannot be read \(ENOENT\)\n$/],
    ["fftSize 1048576", () => ["--layer", write("huge-fft.json", { ...layerJson, fftSize: 1048576 }), "--input", X, "--out", "y.json"], /^run-layer: .*huge-fft\.json: fftSize = 1048576 must be an integer from 2 to 64\n$/],
    ["height 1e9", () => ["--layer", write("tall.json", { ...layerJson, height: 1e9 }), "--input", X, "--out", "y.json"], /^run-layer: .*tall\.json: height = 1000000000 must be an integer from 1 to 2048\n$/],
    ["an unknown field", () => ["--layer", write("relu.json", { ...layerJson, relu: undefined, reLU: true }), "--input", X, "--out", "y.json"], /^run-layer: .*relu\.json: unknown field "reLU" \(did you mean "relu"\?\)/],
    ["bad simulator", () => ["--layer", L, "--input", X, "--out", "y.json", "--sim", "modelsim"], /--sim modelsim: use iverilog or verilator or js/],
    ["layer field", () => ["--layer", write("bad-layer.json", { ...layerJson, fftSize: 12 }), "--input", X, "--out", "y.json"], /bad-layer\.json: fftSize = 12 is not a power of two/],
    ["input shape", () => ["--layer", L, "--input", write("bad-x.json", { input: [input[0]] }), "--out", "y.json"], /bad-x\.json: input has 1 entries, expected 2/],
    ["input value", () => ["--layer", L, "--input", write("nan-x.json", JSON.stringify({ input }).replace(/^(\{"input":\[\[\[)[^,]+/, "$1\"a\"")), "--out", "y.json"], /nan-x\.json: input\[0\]\[0\]\[0\] = "a" is not a finite number/],
    ["input range", () => ["--layer", L, "--input", write("big-x.json", JSON.stringify({ input }).replace(/^(\{"input":\[\[\[)[^,]+/, "$13.5")), "--out", "y.json"], /big-x\.json: input\[0\]\[0\]\[0\] = 3\.5 is outside the layer's input range \[-1, 1\]/],
  ];
  it("checks --out before running: a directory is refused at once and leaves no temporary file", () => {
    const t0 = Date.now();
    const p = run(["--layer", L, "--input", X, "--out", dir]);
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/^run-layer: --out .* is a directory: give a file name\n$/);
    expect(p.stderr).not.toMatch(/image|cycles/);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(fs.readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
    const missing = run(["--layer", L, "--input", X, "--out", path.join(dir, "no-such-folder", "y.json")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^run-layer: --out .*no-such-folder\/y\.json: the folder .*no-such-folder does not exist\n$/);
  });

  it("a netlist that does not compile is a message with the tool's output, not a stack", () => {
    const v = write("broken.v", "module broken(;\n");
    const p = run(["--layer", L, "--input", X, "--out", path.join(dir, "never-broken.json"), "--verilog", v]);
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/^run-layer: iverilog failed to compile the design:/m);
    expect(p.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(dir, "never-broken.json"))).toBe(false);
  });

  it("a missing simulator says how to install it", () => {
    const p = run(["--layer", L, "--input", X, "--out", path.join(dir, "never-nosim.json"), "--sim", "verilator"], { ...process.env, PATH: fs.mkdtempSync(path.join(dir, "empty-bin-")), SIM_CACHE_DIR: path.join(dir, "empty-cache") });
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/^run-layer: verilator was not found on PATH; install it with `apt-get install verilator`$/m);
    expect(p.stderr).not.toMatch(/\n\s+at /);
  });

  it("--help prints the usage and runs nothing", () => {
    const p = run(["--help"]);
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/^usage: npx tsx hdl\/spec2\/run-layer\.ts --layer L\.json/);
    expect(p.stderr).toBe("");
  });

  for (const [what, args, message] of bad) {
    it(`rejects ${what} without writing an output`, () => {
      const a = args();
      const outIndex = a.indexOf("--out");
      const out = outIndex >= 0 ? path.join(dir, `never-${what.replace(/\W/g, "")}.json`) : undefined;
      if (out) a[outIndex + 1] = out;
      const p = run(a);
      expect(p.status).toBe(2);
      expect(p.stderr).toMatch(message);
      if (out) expect(fs.existsSync(out)).toBe(false);
    });
  }
});
