/**
 * synth/prove.ts from the command line: exit 0 and the proved list, exit 1 and the counterexample
 * table (with --vcd written), exit 2 with the usage for bad arguments; --help runs nothing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { markedLine } from "../helpers/markers";

const root = resolve(import.meta.dirname, "../..");
const FIXTURE = "test/core/fixtures/checked-counter.ts";

function prove(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "synth/prove.ts", ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("synth/prove.ts", () => {
  it("exits 0 with the proved assertions", () => {
    const r = prove(FIXTURE, "--module", "CheckedCounter", "--params", '{"limit":15}', "--depth", "3", "--engine", "smtbmc");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^CheckedCounter_limit15: proved \\(k-induction, depth 3, [\\d.]+ s\\):\\n  ${markedLine(FIXTURE, "CHECK", "assert")}: count below 15\\n$`));
  });

  it("exits 1 with the counterexample, written to --vcd", () => {
    const vcd = join(mkdtempSync(join(tmpdir(), "prove-cli-")), "cex.vcd");
    const r = prove(FIXTURE, "--module", "CheckedCounter", "--params", '{"limit":6}', "--depth", "10", "--mode", "bmc", "--engine", "smtbmc", "--vcd", vcd);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^CheckedCounter_limit6: FAILED at step 7 \(bmc, [\d.]+ s\)$/);
    expect(lines[1]).toBe(`${markedLine(FIXTURE, "CHECK", "assert")}: assertion failed: count below 6`);
    expect(lines[3]).toBe("step | reset | enable | count");
    expect(lines.at(-1)).toContain("<- assertion fails: count below 6");
    expect(readFileSync(vcd, "utf8")).toContain("$var integer 32 t smt_step $end");
  });

  it("exits 2 with the usage on bad arguments, and --help runs nothing", () => {
    const missing = prove(FIXTURE, "--module", "CheckedCounter", "--params", '{"limit":6}');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^synth\/prove: missing --depth\nusage: npx tsx synth\/prove\.ts/);
    const mode = prove(FIXTURE, "--module", "CheckedCounter", "--params", '{"limit":6}', "--depth", "3", "--mode", "proof");
    expect(mode.code).toBe(2);
    expect(mode.stderr.split("\n")[0]).toMatch(/^synth\/prove: --mode/);
    const none = prove("examples/counter.ts", "--depth", "3");
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("synth/prove: Counter_width8 has no assert statements: nothing to prove (see hdl/core/README.md#assertions)\n");
    const help = prove("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npx tsx synth\/prove\.ts/);
  });
});
