/**
 * The language as another project gets it: `npm pack` this repository, pack a second small
 * package holding a design, install both into a fresh project, and there (from node_modules)
 * elaborate the design, check its names and `file:line` comments, lint it with Verilator and
 * simulate it on Icarus; once from plain JavaScript and once from TypeScript compiled by tsc in
 * NodeNext mode against the package's declarations. The simulator cache lands in the project's
 * node_modules/.cache.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verilatorLint } from "../helpers/verilog-tools";

const root = fileURLToPath(new URL("../../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "pack-install-"));
const app = join(work, "app");
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} could not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const npm = (args: string[], cwd: string): string => run("npm", [...args, "--no-audit", "--no-fund", "--prefer-offline"], cwd);

/** Packs the package in `dir` into `work`; returns the tarball's path. */
function pack(dir: string): string {
  const out = JSON.parse(npm(["pack", "--json", "--pack-destination", work], dir)) as { filename: string }[];
  return join(work, out[0]!.filename);
}

// The design package: plain JavaScript, with declarations for TypeScript users.
const DESIGN_JS = `import { Bool, Input, Output, Reg, UInt, defineModule, when } from "spec2-hdl";

export const Blink = defineModule("Blink", (p) => {
  const enable = Input(Bool());
  const count = Output(UInt(p.width));
  const ticks = Reg(UInt(p.width), { init: 0 });
  when(enable, () => ticks.assign(ticks.addWrap(1)));
  count.assign(ticks);
  return { enable, count };
});
`;
const DESIGN_DTS = `import type { ModuleDef, Var } from "spec2-hdl";
export declare const Blink: ModuleDef<{ readonly width: number }, { readonly enable: Var; readonly count: Var }>;
`;

/** Elaborates Blink from node_modules, simulates it on Icarus, prints what the test checks (same code in JS and TS). */
const MAIN = `import { UInt, elaborate } from "spec2-hdl";
import { Queue } from "spec2-hdl/lib";
import { simulate } from "spec2-hdl/sim";
import { Blink } from "blink";

const d = elaborate(Blink, { width: 4 });
const sim = await simulate(d);
await sim.reset();
sim.poke("enable", 1);
await sim.step(5);
const count = await sim.peek("count");
await sim.close();
const q = elaborate(Queue, { type: UInt(8), depth: 4 });
process.stdout.write(JSON.stringify({ top: d.top, ports: d.ports.map((p) => p.name), verilog: d.verilog, count, queuePorts: q.ports.map((p) => p.name) }));
`;

let tarball = "";

beforeAll(() => {
  tarball = pack(root);
  const design = join(work, "blink");
  mkdirSync(design);
  writeFileSync(join(design, "package.json"), JSON.stringify({ name: "blink", version: "1.0.0", type: "module", main: "index.js", types: "index.d.ts", peerDependencies: { "spec2-hdl": "*" } }));
  writeFileSync(join(design, "index.js"), DESIGN_JS);
  writeFileSync(join(design, "index.d.ts"), DESIGN_DTS);
  const designTarball = pack(design);
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true, type: "module" }));
  const types = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies["@types/node"] as string;
  npm(["install", tarball, designTarball, `@types/node@${types}`], app);
}, 600_000);

interface Result {
  readonly top: string;
  readonly ports: string[];
  readonly verilog: string;
  readonly count: number;
  readonly queuePorts: string[];
}

function checkResult(r: Result): void {
  expect(r.top).toBe("Blink_width4");
  expect(r.ports).toEqual(["clock", "reset", "enable", "count"]);
  // Named after the variables in node_modules/blink/index.js, with its lines.
  expect(r.verilog).toContain("// Blink_width4: generated from index.js:3, parameters {\"width\":4}");
  expect(r.verilog).toContain("  input wire enable, // index.js:4");
  expect(r.verilog).toContain("  reg [3:0] ticks; // index.js:6");
  expect(verilatorLint(r.verilog, r.top, "blink.v")).toBe("");
  expect(r.count).toBe(5);
  // the standard library from the package's /lib entry
  expect(r.queuePorts).toEqual(["clock", "reset", "enq_valid", "enq_ready", "enq_bits", "deq_valid", "deq_ready", "deq_bits", "count"]);
}

describe("the packed package, installed into another project", () => {
  it("ships built JavaScript, declarations and the harness source; no tests or SPEC2", () => {
    const files = run("tar", ["-tzf", tarball], work).split("\n").filter(Boolean).map((f) => f.replace(/^package\//, ""));
    for (const f of ["dist/hdl/core/index.js", "dist/hdl/core/index.d.ts", "dist/hdl/lib/index.js", "dist/hdl/lib/index.d.ts", "dist/sim/index.js", "dist/sim/index.d.ts", "dist/synth/index.js", "dist/sim/verilator-harness.cpp", "LICENSE", "package.json"]) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(test|hdl\/spec2|prune|spectral|bench|weights)\//.test(f))).toEqual([]);
  });

  it("elaborates, lints and simulates a design from node_modules in plain JavaScript", () => {
    writeFileSync(join(app, "main.mjs"), MAIN);
    checkResult(JSON.parse(run(process.execPath, ["main.mjs"], app)) as Result);
    const cache = join(app, "node_modules", ".cache", "spec2-hdl", "iverilog");
    expect(existsSync(cache) && readdirSync(cache).length > 0).toBe(true);
    expect(existsSync(join(app, ".cache"))).toBe(false);
  });

  it("does the same from TypeScript compiled by tsc in NodeNext mode (strict, declarations checked)", () => {
    writeFileSync(join(app, "main.ts"), MAIN);
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: false, types: ["node"], outDir: "build" },
        files: ["main.ts"],
      }),
    );
    const tsc = join(dirname(fileURLToPath(import.meta.resolve("typescript/package.json"))), "bin", "tsc");
    run(process.execPath, [tsc, "-p", "tsconfig.json"], app);
    checkResult(JSON.parse(run(process.execPath, ["build/main.js"], app)) as Result);
  });
});
