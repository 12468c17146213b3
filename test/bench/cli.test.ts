/**
 * Every script in bench/ (the folder is enumerated) parses its arguments with the shared
 * helper: `--help` prints the usage and runs nothing (no result file changes), and an unknown
 * option is rejected with the usage and exit code 2, before any work.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const scripts = readdirSync("bench").filter((f) => f.endsWith(".ts")).sort();
const results = (): Record<string, number> => Object.fromEntries(readdirSync("bench/results").map((f) => [f, statSync(join("bench/results", f)).mtimeMs]));

function run(file: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", `bench/${file}`, ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("bench/ command lines", () => {
  it("finds the scripts", () => {
    expect(scripts).toEqual(["elaborate.ts", "engine-mnist.ts", "engine-synth.ts", "layers.ts", "lenet-mnist.ts", "overlap-add-synth.ts", "pe.ts", "sim.ts", "synth-blocks.ts", "validate.ts", "vgg16-dse.ts", "vgg16.ts", "weight-stream.ts"]);
  });

  for (const file of scripts) {
    it(`${file} --help runs nothing; an unknown option is an error with the usage`, () => {
      const before = results();
      const help = run(file, ["--help"]);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: npx tsx bench/${file.replace(".", "\\.")}`));
      expect(help.stderr).toBe("");
      expect(results()).toEqual(before);
      const bad = run(file, ["--frobnicate"]);
      expect(bad.status).toBe(2);
      expect(bad.stdout).toBe("");
      expect(bad.stderr).toMatch(new RegExp(`^[\\w-]+: Unknown option '--frobnicate'[^\\n]*\\nusage: npx tsx bench/${file.replace(".", "\\.")}`));
    });
  }
});
