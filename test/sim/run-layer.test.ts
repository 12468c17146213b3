/**
 * sim/run-layer.ts end to end: a layer file and an input file in, Y.json out
 * (output against the golden model, cycles, simulator); `--verilog` simulates
 * a given netlist; bad files get an error naming the field and no output file.
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
const input = Array.from({ length: 2 }, () => Array.from({ length: 9 }, () => Array.from({ length: 6 }, () => r() * 2 - 1)));
const write = (name: string, value: unknown): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
};
const L = write("L.json", layerJson);
const X = write("X.json", { input });

function run(args: string[]): { status: number | null; stderr: string } {
  const p = spawnSync(process.execPath, ["--import", "tsx", "sim/run-layer.ts", ...args], { encoding: "utf8" });
  return { status: p.status, stderr: p.stderr };
}

function expectedOutput(): number[][][] {
  const { layer } = layerFromJson(layerJson, "L.json");
  const words = quantizeActivations(Float64Array.from(input.flat(2)), layer.formats.inFrac, layer.formats.actBits);
  const y = dequantize(goldenConvLayer(layer, words), layer.formats.outFrac);
  return Array.from({ length: 3 }, (_, o) => Array.from({ length: 9 }, (_, row) => Array.from(y.subarray((o * 9 + row) * 6, (o * 9 + row + 1) * 6))));
}

describe("sim/run-layer.ts", () => {
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

  it("simulates a given Verilog file with --verilog", () => {
    const { layer, parallelism } = layerFromJson(layerJson, "L.json");
    const v = write("netlist.v", elaborate(Spec2Layer, { layer, ...parallelism }).verilog);
    const out = path.join(dir, "Y2.json");
    const p = run(["--layer", L, "--input", X, "--out", out, "--verilog", v]);
    expect(p.status, p.stderr).toBe(0);
    expect((JSON.parse(fs.readFileSync(out, "utf8")) as { output: unknown }).output).toEqual(expectedOutput());
  });

  const bad: [string, () => string[], RegExp][] = [
    ["missing --out", () => ["--layer", L, "--input", X], /run-layer: missing --out/],
    ["bad simulator", () => ["--layer", L, "--input", X, "--out", "y.json", "--sim", "modelsim"], /--sim modelsim: use iverilog or verilator/],
    ["layer field", () => ["--layer", write("bad-layer.json", { ...layerJson, fftSize: 12 }), "--input", X, "--out", "y.json"], /bad-layer\.json: fftSize = 12 is not a power of two/],
    ["input shape", () => ["--layer", L, "--input", write("bad-x.json", { input: [input[0]] }), "--out", "y.json"], /bad-x\.json: input has 1 entries, expected 2/],
    ["input value", () => ["--layer", L, "--input", write("nan-x.json", JSON.stringify({ input }).replace(/^(\{"input":\[\[\[)[^,]+/, "$1\"a\"")), "--out", "y.json"], /nan-x\.json: input\[0\]\[0\]\[0\] = "a" is not a finite number/],
    ["input range", () => ["--layer", L, "--input", write("big-x.json", JSON.stringify({ input }).replace(/^(\{"input":\[\[\[)[^,]+/, "$13.5")), "--out", "y.json"], /big-x\.json: input\[0\]\[0\]\[0\] = 3\.5 is outside the layer's input range \[-1, 1\]/],
  ];
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
