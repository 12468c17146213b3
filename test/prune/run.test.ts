import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../prune/run";
import { loadWeights } from "../../spectral/weights";

const root = mkdtempSync(join(tmpdir(), "spec2-run-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tiny = (out: string, ...more: string[]): string[] => [
  ...["--epochs", "1", "--admm-epochs", "1", "--retrain-epochs", "1", "--train-limit", "256", "--test-limit", "40", "--threads", "1"],
  ...["--out", out, "--checkpoints", join(root, "ck"), "--quiet", ...more],
];

describe("prune/run.ts end to end (tiny)", () => {
  it("trains, prunes, exports a valid weights directory, and resumes from checkpoints to the same result", async () => {
    const out = join(root, "w");
    const args = tiny(out, "--density", "0.25");
    await main(args);
    const m = loadWeights(out);
    expect(m.n).toBe(10);
    expect(m.layers.map((l) => l.kernels.flat().length)).toEqual([6, 96]);
    expect(m.command).toBe(
      `npx tsx prune/run.ts --network lenet --density 0.25 --epochs 1 --admm-epochs 1 --retrain-epochs 1 --lr 0.002 --admm-lr 0.0005 --retrain-lr 0.001 --lr-decay 0.85 --rho0 0.05 --rho-growth 1.16 --admm-updates 10 --batch 32 --shift 2 --seed 1 --train-limit 256 --test-limit 40 --out ${out}`,
    );
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.split).toEqual({ train: 256, test: 40 });
    for (const k of ["denseFloat", "prunedFloat", "prunedFixed"]) expect(report.accuracy[k]).toBeGreaterThanOrEqual(0);
    // the epochs' own times, summed from the log lines
    const logged = (report.log as string[]).reduce((sum, line) => sum + Number(/\((\d+) s\)$/.exec(line)![1]), 0);
    expect(report.epochSeconds).toBe(logged);
    expect(existsSync(join(out, "kept-positions.svg"))).toBe(true);
    const before = readFileSync(join(out, "manifest.json"), "utf8");
    // second run: every phase is complete in the checkpoints, the export is redone identically
    await main(args);
    expect(readFileSync(join(out, "manifest.json"), "utf8")).toBe(before);
    expect(readdirSync(root).filter((f) => f.includes(".tmp-") || f.endsWith(".old") || f.includes(".probe-"))).toEqual([]);
  });

  it("a longer dense phase continues the shorter one's checkpoint, to the same weights as a run from scratch", async () => {
    const base = ["--density", "0.5", "--admm-epochs", "1", "--retrain-epochs", "1", "--train-limit", "128", "--test-limit", "10", "--threads", "1", "--quiet"];
    const ck = join(root, "ck-extend");
    await main([...base, "--epochs", "1", "--out", join(root, "e1"), "--checkpoints", ck]);
    await main([...base, "--epochs", "2", "--out", join(root, "e2"), "--checkpoints", ck]);
    await main([...base, "--epochs", "2", "--out", join(root, "e3"), "--checkpoints", join(root, "ck-fresh")]);
    expect(readFileSync(join(root, "e2", "conv2.hex"), "utf8")).toBe(readFileSync(join(root, "e3", "conv2.hex"), "utf8"));
  }, 60_000);

  it("density 1 works end to end: every layout entry kept, pruned = dense", async () => {
    const out = join(root, "dense");
    await main(tiny(out, "--density", "1"));
    const m = loadWeights(out);
    expect(m.n).toBe(40);
    expect(m.layers.every((l) => l.kernels.flat().every((k) => k.entries.length === 40))).toBe(true);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.density).toBe(1);
    expect(report.accuracy.prunedFloat).toBe(report.accuracy.denseFloat);
  });

  it("vgg-mnist: five 3x3 conv layers with padding 1 in the manifest and report", async () => {
    const out = join(root, "vgg");
    await main([...tiny(out, "--network", "vgg-mnist"), "--train-limit", "128", "--test-limit", "10"]);
    const m = loadWeights(out);
    expect(m.layers.map((l) => [l.name, l.inChannels, l.outChannels, l.kernelSize, l.padding, l.inputHeight, l.relu])).toEqual([
      ["conv1", 1, 8, 3, 1, 28, true],
      ["conv2", 8, 8, 3, 1, 28, true],
      ["conv3", 8, 16, 3, 1, 14, true],
      ["conv4", 16, 16, 3, 1, 14, true],
      ["conv5", 16, 32, 3, 1, 7, true],
    ]);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.network).toBe("vgg-mnist");
    expect(report.layers.length).toBe(5);
    expect(Object.keys(report.fixedPoint.sqnrDb)).toEqual(["conv1", "conv2", "conv3", "conv4", "conv5"]);
  }, 60_000);

  it("fails before training on an output directory it cannot write", async () => {
    const file = join(root, "a-file");
    writeFileSync(file, "x");
    const t0 = Date.now();
    await expect(main(tiny(join(file, "w")))).rejects.toThrow(`--out ${join(file, "w")}: cannot create the parent directory ${file} (EEXIST)`);
    await expect(main(tiny(file))).rejects.toThrow(`--out ${file}: exists and is not a directory`);
    await expect(main([...tiny(join(root, "w2")), "--checkpoints", join(file, "ck")])).rejects.toThrow(`--checkpoints ${join(file, "ck", "x")}: cannot create the parent directory ${join(file, "ck")}`);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(existsSync(join(root, "w2"))).toBe(false);
  });

  it("rejects a density that keeps less than one entry per kernel, naming the minimum", async () => {
    await expect(main(tiny(join(root, "x"), "--density", "0.01"))).rejects.toThrow(
      "--density 0.01 keeps n = round(0.01 * 40) = 0 entries per kernel: the minimum density is 0.0125 (n = 1)",
    );
  });

  it("--help prints the options and runs nothing", async () => {
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      await main(["--help", "--out", join(root, "never")]);
      const text = write.mock.calls.map((c) => String(c[0])).join("");
      expect(text).toMatch(/^usage: npx tsx prune\/run\.ts \[options\]/);
      for (const o of ["--network S", "--density N", "--epochs N", "--shift N", "--out S", "--threads N", "--help"]) expect(text).toContain(o);
      expect(text).toContain("network to train: lenet or vgg-mnist (default lenet)");
    } finally {
      write.mockRestore();
    }
    expect(existsSync(join(root, "never"))).toBe(false);
  });

  it("as a command (shared helper): an unknown option exits 2 with the usage, a user error exits 1 with one line, no stack", () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "prune/run.ts", ...args], { encoding: "utf8" });
    const bad = run("--frobnicate");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^run: Unknown option '--frobnicate'.*\nusage: npx tsx prune\/run\.ts \[options\]/s);
    const badValue = run("--epochs", "0");
    expect(badValue.status).toBe(2);
    expect(badValue.stderr).toMatch(/^run: --epochs = 0 is not an integer >= 1\nusage: /);
    const file = join(root, "plain-file");
    writeFileSync(file, "x");
    const notDir = run("--out", file, "--quiet");
    expect(notDir.status).toBe(1);
    expect(notDir.stderr).toBe(`run: --out ${file}: exists and is not a directory\n`);
    const sweep = spawnSync(process.execPath, ["--import", "tsx", "prune/sweep.ts", "--densities", "1,x"], { encoding: "utf8" });
    expect(sweep.status).toBe(2);
    expect(sweep.stderr).toMatch(/^sweep: --densities 1,x: "x" is not a number\nusage: npx tsx prune\/sweep\.ts/);
  });
});
