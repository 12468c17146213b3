/**
 * hdl/spec2/top.ts: the default accelerator (LeNet conv layers with the
 * committed pruned weights) passes the three Verilog tools; bad arguments get
 * a clear message, exit code 2 and nothing on stdout.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { verilogFor } from "../../hdl/spec2/top";
import { expectCleanVerilog } from "../helpers/verilog-tools";

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

  it("lists configurations with --help", () => {
    const r = cli(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/lenet-conv2/);
  });

  const bad: [string[], RegExp][] = [
    [["--config", "nope"], /^top: --config nope: unknown; one of lenet, lenet-conv1, lenet-conv2$/m],
    [["--pout", "0"], /^top: --pout 0: expected a positive integer$/m],
    [["--config", "lenet", "--layer", "x.json"], /^top: give either --config or --layer, not both$/m],
    [["--layer", "does-not-exist.json"], /^top: does-not-exist\.json: cannot be read \(ENOENT\)$/m],
    [["--frobnicate"], /^top: Unknown option '--frobnicate'/m],
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
