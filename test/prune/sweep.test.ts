import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../prune/sweep";

const root = mkdtempSync(join(tmpdir(), "spec2-sweep-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("prune/sweep.ts end to end (tiny)", () => {
  it("writes one point per density, density 1 equal to the dense model, and a command that spells out every training option", async () => {
    const out = join(root, "sweep");
    const flags = ["--epochs", "1", "--admm-epochs", "1", "--retrain-epochs", "1", "--train-limit", "256", "--test-limit", "40"];
    await main(["--densities", "1,0.5", ...flags, "--distill", "0.5", "--distill-temperature", "4", "--threads", "1", "--quiet", "--checkpoints", join(root, "ck"), "--out", out]);
    const sweep = JSON.parse(readFileSync(join(out, "sweep.json"), "utf8"));
    expect(sweep.complete).toBe(true);
    expect(sweep.split).toEqual({ train: 256, test: 40, fixedPointTest: 40 });
    expect(sweep.points.map((p: { density: number; n: number }) => [p.density, p.n])).toEqual([[1, 40], [0.5, 20]]);
    expect(sweep.points[0].prunedFloat).toBe(sweep.denseFloat);
    expect(sweep.command).toBe(
      "npx tsx prune/sweep.ts --network lenet --densities 1,0.5 --epochs 1 --admm-epochs 1 --retrain-epochs 1 --lr 0.002 --admm-lr 0.0005 " +
        "--retrain-lr 0.001 --lr-decay 0.85 --rho0 0.05 --rho-growth 1.16 --admm-updates 10 --batch 32 --shift 2 --seed 1 " +
        `--distill 0.5 --distill-temperature 4 --train-limit 256 --test-limit 40 --out ${out}`,
    );
    expect(readFileSync(join(out, "accuracy-vs-density.svg"), "utf8")).toContain("<svg");
  }, 120_000);
});
