/**
 * hdl/spec2/run-network.ts as a command: --json has the keys other tools read (network,
 * inputSize, images, layers[name, cycles, modelCycles, mismatches, peUtilisation, dramBytes],
 * mismatches) for LeNet-5 on the JS backend; bad arguments exit 2 with one line and nothing on
 * stdout.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "hdl/spec2/run-network.ts", ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("hdl/spec2/run-network.ts", () => {
  it("--json: LeNet-5 on one digit, every layer bit-exact, the named keys", () => {
    const r = cli(["--network", "lenet", "--sim", "js", "--json"]);
    expect(r.stderr).toMatch(/^run-network: lenet, 2 conv layers, 1 image\(s\) on js$/m);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect([j.network, j.inputSize, j.images, j.mismatches]).toEqual(["lenet", 28, 1, 0]);
    expect(j.layers.map((l: { name: string }) => l.name)).toEqual(["conv1", "conv2"]);
    for (const l of j.layers) {
      expect(Object.keys(l).sort()).toEqual(["cycles", "dramBytes", "mismatches", "modelCycles", "modelDramBytes", "name", "peUtilisation"]);
      expect(l.cycles).toBeGreaterThan(l.modelCycles / 2);
    }
  }, 120_000);

  it("--batch 2: three digits in batches of two and one, bit-exact, fewer DRAM bytes than one by one", () => {
    const run = (batch: string) => {
      const r = cli(["--network", "lenet", "--sim", "js", "--images", "3", "--batch", batch, "--json"]);
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as { batch: number; mismatches: number; layers: { dramBytes: number; cycles: number }[] };
    };
    const one = run("1");
    const two = run("2");
    expect([one.batch, one.mismatches, two.batch, two.mismatches]).toEqual([1, 0, 2, 0]);
    // the weights are read once a batch: two fetches instead of three
    two.layers.forEach((l, i) => expect(l.dramBytes).toBeLessThan(one.layers[i]!.dramBytes));
  }, 240_000);

  const bad: [string[], RegExp][] = [
    [[], /^run-network: --network is required \(vgg16, vgg-mnist, lenet\)$/m],
    [["--network", "resnet"], /^run-network: --network resnet: use vgg16 or vgg-mnist or lenet$/m],
    [["--network", "lenet", "--batch", "300"], /^run-network: --batch 300: expected an integer from 1 to 256$/m],
    [["--network", "lenet", "--input-size", "32"], /^run-network: --input-size 32: lenet takes the 28 x 28 MNIST digits only$/m],
    [["--network", "vgg16", "--pes", "4by4"], /^run-network: --pes 4by4: expected OxI, two integers in 1..64 \(for example 2x2\)$/m],
  ];
  for (const [args, message] of bad) {
    it(`rejects ${args.join(" ") || "no arguments"}`, () => {
      const r = cli(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(message);
    });
  }
});
