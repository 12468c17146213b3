/**
 * hdl/spec2/top.ts: the default accelerator (LeNet conv layers with the
 * committed pruned weights) and the VGG16 engine pass the three Verilog tools; a 256 -> 256-channel layer
 * prints; a wrapper named after a keyword compiles; `| head -1` ends quietly; bad arguments
 * get a clear message with the usage, exit code 2 and nothing on stdout.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verilogFor } from "../../hdl/spec2/top";
import { rng } from "../helpers/rng";
import { expectCleanVerilog, iverilogWarnings } from "../helpers/verilog-tools";

const dir = mkdtempSync(join(tmpdir(), "top-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "hdl/spec2/top.ts", ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("hdl/spec2/top.ts", () => {
  it("prints the default LeNet accelerator, clean in iverilog, Verilator and Yosys", async () => {
    const v = verilogFor([]);
    expect(v).toMatch(/^module Spec2Top \(/m);
    expect(v).toMatch(/^module Spec2Layer_c1x6_28x28_k5p0_K8_P2x1_L1x2 \(/m);
    expect(v).toMatch(/^module Spec2Layer_c6x16_12x12_k5p0_K8_P8x1 \(/m);
    await expectCleanVerilog(v, "Spec2Top");
  });

  it("lists configurations with --help and prints nothing else", () => {
    const r = cli(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npx tsx hdl\/spec2\/top\.ts/);
    expect(r.stdout).toMatch(/lenet-conv2/);
    expect(r.stdout).not.toMatch(/^module /m);
  });

  it("names the wrapper after a Verilog keyword with --top module, escaped, and Icarus compiles it", () => {
    const r = cli(["--top", "module"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^module module_ \(/m);
    expect(iverilogWarnings(r.stdout, "module_")).toBe("");
  });

  it("prints a 256 -> 256-channel layer (a kernel ROM of 163,840 words per PE)", () => {
    const g = rng(256);
    const c = 256;
    const layer = {
      inChannels: c, outChannels: c, height: 8, width: 8, kernelSize: 3, padding: 1, fftSize: 8, density: 0.25,
      weights: Array.from({ length: c }, () => Array.from({ length: c }, () => Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => Math.round((g() - 0.5) * 1000) / 10_000)))),
      bias: new Array<number>(c).fill(0.01),
    };
    const file = join(dir, "l256.json");
    writeFileSync(file, JSON.stringify(layer));
    const r = spawnSync(process.execPath, ["--import", "tsx", "hdl/spec2/top.ts", "--layer", file], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^module Spec2Layer_c256x256_8x8_k3p1_K8_P4x1 \(/m);
    expect(r.stdout).toMatch(/rom\[163839\] = /);
    expect(r.stdout.trimEnd().endsWith("endmodule")).toBe(true);
  });

  it("--config vgg16 prints the run-time configured engine (16 x 8 PEs, 512 channels, passes of 64, 224 x 224, batches of up to 16), clean in iverilog, Verilator and Yosys", async () => {
    const v = verilogFor(["--config", "vgg16"]);
    const top = "Engine_K8k3_P16x8_c512x64_224x224_n512";
    expect(v).toMatch(new RegExp(`^module ${top} \\(`, "m"));
    expect(v).toMatch(/^module PeArray/m);
    expect(v).toMatch(/^module EngineCore_K8k3_P16x8_c512x64_224x224_s0to15_b16 \(/m);
    await expectCleanVerilog(v, top);
    // a smaller grid from the command line
    expect(verilogFor(["--config", "vgg16", "--pout", "4", "--pin", "2", "--max-depth", "4096"])).toMatch(/^module Engine_K8k3_P4x2_c512x64_224x224_n512 \(/m);
  }, 120_000);

  it("ends quietly when the reader stops early (| head -1)", () => {
    const r = spawnSync("sh", ["-c", `"${process.execPath}" --import tsx hdl/spec2/top.ts | head -1`], { encoding: "utf8" });
    expect(r.stdout).toBe("/* verilator lint_off DECLFILENAME */\n");
    expect(r.stderr).toBe("");
  });

  const bad: [string[], RegExp][] = [
    [["--config", "nope"], /^top: --config nope: unknown; one of lenet, lenet-conv1, lenet-conv2, vgg16, engine-mnist$/m],
    [["--config", "vgg16", "--weights", "weights/lenet"], /^top: --weights: the vgg16 engine takes its weights at run time, from external memory$/m],
    [["--config", "vgg16", "--pout", "128"], /^top: --pout 128 exceeds the 64 output channels of a vgg16 pass$/m],
    [["--max-depth", "64"], /^top: --max-depth applies to the engine configurations only$/m],
    [["--pout", "0"], /^top: --pout 0: expected a positive integer$/m],
    [["--config", "lenet", "--layer", "x.json"], /^top: give either --config or --layer, not both$/m],
    [["--layer", "does-not-exist.json"], /^top: does-not-exist\.json: cannot be read \(ENOENT\)$/m],
    [["--frobnicate"], /^top: Unknown option '--frobnicate'[^\n]*\nusage: npx tsx hdl\/spec2\/top\.ts/m],
    [["--top", "two words"], /^top: --top two words: not a Verilog identifier \(letters, digits and _\)$/m],
    [["extra"], /^top: Unexpected argument 'extra'/m],
    [["--config", "lenet-conv1", "--pin", "2"], /^top: --pin 2 exceeds the 1 input channels of conv1$/m],
  ];
  for (const [args, message] of bad) {
    it(`rejects ${args.join(" ")}`, () => {
      const r = cli(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(message);
    });
  }
});
