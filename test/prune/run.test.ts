import { mkdtempSync, readFileSync, rmSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../prune/run";
import { loadWeights } from "../../prune/weights";

const root = mkdtempSync(join(tmpdir(), "spec2-run-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("prune/run.ts end to end (tiny)", () => {
  it("trains, prunes, exports a valid weights directory, and resumes from checkpoints to the same result", async () => {
    const out = join(root, "w");
    const args = ["--density", "0.25", "--epochs", "1", "--admm-epochs", "1", "--retrain-epochs", "1", "--train-limit", "256", "--test-limit", "40", "--threads", "1", "--out", out, "--checkpoints", join(root, "ck"), "--quiet"];
    await main(args);
    const m = loadWeights(out);
    expect(m.n).toBe(10);
    expect(m.layers.map((l) => l.kernels.flat().length)).toEqual([6, 96]);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.split).toEqual({ train: 256, test: 40 });
    for (const k of ["denseFloat", "prunedFloat", "prunedFixed"]) expect(report.accuracy[k]).toBeGreaterThanOrEqual(0);
    expect(existsSync(join(out, "kept-positions.svg"))).toBe(true);
    const before = readFileSync(join(out, "manifest.json"), "utf8");
    // second run: every phase is complete in the checkpoints, the export is redone identically
    await main(args);
    expect(readFileSync(join(out, "manifest.json"), "utf8")).toBe(before);
    expect(readdirSync(root).filter((f) => f.includes(".tmp-") || f.endsWith(".old"))).toEqual([]);
  });
});
