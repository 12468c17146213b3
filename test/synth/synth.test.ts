import { execFile, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { loadDesignModule, synthesize, YosysError, type ResourceReport } from "../../synth/index";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (f: string): string => readFileSync(join(root, "test/fixtures/verilog", f), "utf8");

describe("synthesize()", () => {
  it("reports LUTs by size, FFs and carry chains of an ElaboratedDesign", async () => {
    const design = await loadDesignModule(join(root, "test/synth/design-module.ts"));
    const progress: string[] = [];
    const r: ResourceReport = await synthesize(design, { onProgress: (p) => progress.push(p.pass) });
    expect(r.top).toBe("counter");
    expect(r.ff).toBe(16);
    expect(r.cells.FDRE).toBe(16);
    expect(r.carry4).toBeGreaterThanOrEqual(4); // at least the 16-bit adder's 4 CARRY4
    expect(r.lut).toBe(Object.values(r.lutBySize).reduce((a, b) => a + b, 0));
    expect(r.lut).toBeGreaterThan(0);
    expect(r.dsp).toBe(0);
    expect(progress.some((p) => /SYNTH_XILINX/.test(p))).toBe(true);
    expect(progress.some((p) => /ABC/.test(p))).toBe(true);
  });

  it("hands $readmemh files to the in-process Yosys", async () => {
    // Each output bit of a 16-entry ROM is a function of 4 address bits: one LUT4 (or less) per bit.
    const r = await synthesize(fixture("rom16x8.v"), { top: "rom16x8", target: "generic" });
    expect(r.ff).toBe(0);
    expect(r.lut).toBeGreaterThan(0);
    expect(r.lut).toBeLessThanOrEqual(8);
    await expect(synthesize(fixture("rom16x8.v").replace("verilog/rom16x8.hex", "verilog/missing.hex"), { target: "generic" })).rejects.toThrow(
      'cannot read memory initialisation file "test/fixtures/verilog/missing.hex" named by $readmem in the design',
    );
  });

  it("stops Yosys at the time limit", async () => {
    const t0 = Date.now();
    await expect(synthesize(fixture("mem1024x16.v"), { timeoutMs: 300 })).rejects.toThrow("yosys timed out after 300 ms and was stopped");
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("fails with Yosys' message and the TypeScript line of the offending Verilog", async () => {
    const v = "module bad(input a, output y);\n  assign y = a +;  // examples/bad.ts:7\nendmodule\n";
    const err = await synthesize(v, { top: "bad", target: "generic" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(YosysError);
    expect((err as Error).message).toMatch(/^yosys failed \(exit 1\):\ndesign\.v:2: ERROR: syntax error/);
    expect((err as Error).message).toMatch(/design\.v:2 \(from examples\/bad\.ts:7\): assign y = a \+;/);
  });
});

describe("loadDesignModule()", () => {
  it("elaborates an exported module generator with parameters", async () => {
    const d = await loadDesignModule(join(root, "examples/fifo.ts"), { module: "Fifo", params: { width: 8, depth: 4 } });
    expect(d.top).toMatch(/^Fifo/);
    expect(d.ports.find((p) => p.name === "enq_bits")?.width).toBe(8);
    await expect(loadDesignModule(join(root, "examples/fifo.ts"), { module: "Nope" })).rejects.toThrow(
      /no exported module generator "Nope"; exported generators: Fifo/,
    );
  });

  it("rejects a module without a design export", async () => {
    await expect(loadDesignModule(join(root, "test/sim/models.ts"))).rejects.toThrow(
      /no `export default` or `export const design` providing an ElaboratedDesign/,
    );
  });
});

/** A stand-in `yosys` on PATH: `-V` answers, anything else runs `body` (a shell script). */
function fakeYosys(body: string): string {
  const bin = mkdtempSync(join(tmpdir(), "fake-yosys-"));
  writeFileSync(join(bin, "yosys"), `#!/bin/sh\nif [ "$1" = "-V" ]; then echo "Yosys 0.0 (stand-in)"; exit 0; fi\n${body}\n`);
  chmodSync(join(bin, "yosys"), 0o755);
  return bin;
}

function report(args: string[], env: NodeJS.ProcessEnv = process.env): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "synth/report.ts", ...args], { cwd: root, encoding: "utf8", env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("synth/report.ts arguments and failures", () => {
  it("--help prints the usage and runs nothing", () => {
    const r = report(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npx tsx synth\/report\.ts <design\.ts \| file\.v> \[options\]/);
    expect(r.stderr).toBe("");
  });

  const bad: [string[], number, RegExp][] = [
    [["examples/fifo.ts", "--frobnicate"], 2, /^synth\/report: Unknown option '--frobnicate'[^\n]*\nusage: /],
    [[], 2, /^synth\/report: expected one input file\nusage: /],
    [["examples/fifo.ts", "--module", "Fifo"], 2, /^synth\/report: examples\/fifo\.ts: generator Fifo takes parameters: give them as JSON with --params, e.g\. --params '\{"width":8\}'\n$/],
    [["examples/fifo.ts", "--params", "{}"], 2, /^synth\/report: --params needs --module NAME: the generator to give them to\n/],
    [["examples/fifo.ts", "--timeout", "0"], 2, /^synth\/report: --timeout 0: expected a positive integer\n/],
    [["nope.ts"], 2, /^synth\/report: nope\.ts: no such file\n$/],
    [["nope.v"], 2, /^synth\/report: nope\.v: cannot be read \(ENOENT\)\n$/],
  ];
  for (const [args, status, message] of bad) {
    it(`rejects ${args.join(" ") || "no arguments"}`, () => {
      const r = report(args);
      expect(r.status).toBe(status);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(message);
    });
  }

  it("a native Yosys over its time limit is reported as timed out (the library and --timeout)", async () => {
    const bin = fakeYosys("sleep 30");
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved}`;
    try {
      await expect(synthesize(fixture("counter.v"), { native: true, timeoutMs: 300 })).rejects.toThrow(/^yosys timed out after 300 ms and was stopped$/);
    } finally {
      process.env.PATH = saved;
    }
    const r = report(["test/fixtures/verilog/counter.v", "--native", "--timeout", "1"], { ...process.env, PATH: `${bin}:${process.env.PATH}` });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^synth\/report: yosys timed out after 1000 ms and was stopped$/m);
  });
});

describe("synth/report.ts <design.ts> on every example", () => {
  const examples = readdirSync(join(root, "examples")).filter((f) => f.endsWith(".ts"));
  for (const file of examples) {
    it(file, () => {
      const r = report([`examples/${file}`, "--target", "generic", "--json", "--native"]);
      expect(r.status, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout) as { top: string; lut: number; ff: number };
      expect(j.top).toMatch(/^[A-Z]\w+_/);
      expect(j.lut + j.ff).toBeGreaterThan(0);
    });
  }
});

describe("synth/report.ts CLI", () => {
  it("--json on a design.ts prints integer counts; progress goes to stderr", async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", "synth/report.ts", "test/synth/design-module.ts", "--target", "generic", "--json"],
      { cwd: root },
    );
    const j = JSON.parse(stdout) as Record<string, unknown>;
    for (const k of ["lut", "ff", "dsp", "bram18", "bram36", "lutram"]) expect(Number.isInteger(j[k])).toBe(true);
    expect(j.ff).toBe(16);
    expect(j.target).toBe("generic");
    expect(j.engine).toBe("wasm");
    expect(stderr).toMatch(/synthesizing test\/synth\/design-module\.ts for generic/);
    expect(stderr).toMatch(/\[yosys +\d+\.\ds\] \d/);
  });

  it("--native runs the `yosys` found on PATH", async () => {
    // A stand-in `yosys` executable (the WebAssembly build behind a CLI) proves
    // the native path: files in, script run in that directory, stat.json out.
    const bin = mkdtempSync(join(tmpdir(), "fake-yosys-"));
    const bundle = join(root, "node_modules/@yowasp/yosys/gen/bundle.js");
    writeFileSync(
      join(bin, "yosys"),
      `#!${process.execPath}
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
const { runYosys } = await import(${JSON.stringify(bundle)});
const args = process.argv.slice(2);
if (args[0] === "-V") { console.log("Yosys 0.55 (fake native for tests)"); process.exit(0); }
const tree = {};
for (const f of readdirSync(".")) tree[f] = readFileSync(f, "utf8");
const out = await runYosys(args, tree, { stdout: (b) => b && process.stdout.write(b), stderr: (b) => b && process.stderr.write(b) });
for (const [k, v] of Object.entries(out)) if (!(k in tree) && typeof v !== "object") writeFileSync(k, v);
else if (v instanceof Uint8Array) writeFileSync(k, v);
`,
    );
    chmodSync(join(bin, "yosys"), 0o755);
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "synth/report.ts", "test/fixtures/verilog/counter.v", "--target", "generic", "--json", "--native"],
      { cwd: root, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } },
    );
    const j = JSON.parse(stdout) as Record<string, unknown>;
    expect(j.yosys).toBe("Yosys 0.55 (fake native for tests)");
    expect(j.engine).toBe("native");
    expect(j.top).toBe("counter");
    expect(j.ff).toBe(16);
  });
});
