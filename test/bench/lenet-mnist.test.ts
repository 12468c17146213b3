/**
 * End to end on a few MNIST test images: both LeNet conv layers on the
 * simulated RTL (Icarus), the rest in TypeScript, with the committed weights.
 * Every conv output word and every prediction must equal the golden model's.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runLeNetOnRtl } from "../../bench/lenet-mnist";

describe("LeNet-5 on MNIST through the RTL", () => {
  it("agrees with the fixed-point golden model on every word and prediction", async () => {
    const r = await runLeNetOnRtl({ images: 6, backend: "iverilog", quiet: true });
    expect(r.images).toBe(6);
    expect(r.wordMismatches).toBe(0);
    expect(r.mismatches).toBe(0);
    expect(r.accuracy).toBe(r.goldenAccuracy);
    expect(r.accuracy).toBeGreaterThanOrEqual(5 / 6);
    expect(r.cyclesPerImage).toBeGreaterThan(0);
  });
});

describe("bench/lenet-mnist.ts command line", () => {
  const cli = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "bench/lenet-mnist.ts", ...args], { encoding: "utf8" });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it("--help prints the usage and runs nothing", () => {
    const r = cli(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npx tsx bench\/lenet-mnist\.ts/);
    expect(r.stderr).toBe("");
  });

  const bad: [string[], RegExp][] = [
    [["--images", "0"], /^lenet-mnist: --images 0: expected an integer from 1 to 10000\nusage: /],
    [["--sim", "modelsim"], /^lenet-mnist: --sim modelsim: use verilator or iverilog or js\nusage: /],
    [["--frobnicate"], /^lenet-mnist: Unknown option '--frobnicate'/],
    [["--weights", "no/such/dir"], /^lenet-mnist: --weights: .*no\/such\/dir: weights directory does not exist\n$/],
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
