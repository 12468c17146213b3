/**
 * Where compiled simulators are cached ($SIM_CACHE_DIR, else the project's
 * node_modules/.cache/spec2-hdl, never the working directory), and that interrupted builds
 * leave no build directories behind: removed when the building process is interrupted, swept
 * at the next build when it was killed outright.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Input, Output, UInt, defineModule, elaborate } from "../../hdl/core";
import { simulate } from "../../sim";

const root = fileURLToPath(new URL("../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "build-cache-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs a script under tsx in `cwd` with `env`, returning its stdout. */
function runScript(code: string, cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const file = join(scratch, `script-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(file, code);
  const r = spawnSync(process.execPath, ["--import", join(root, "node_modules/tsx/dist/esm/index.mjs"), file], { cwd, encoding: "utf8", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

const printRoot = `import { cacheRoot } from ${JSON.stringify(join(root, "sim/index.ts"))};\nconsole.log(cacheRoot());\n`;

describe("the build cache's place", () => {
  it("is the project's node_modules/.cache/spec2-hdl, from any folder inside the project", () => {
    const project = join(scratch, "project");
    mkdirSync(join(project, "node_modules"), { recursive: true });
    mkdirSync(join(project, "src", "deep"), { recursive: true });
    writeFileSync(join(project, "package.json"), "{}");
    const env = { SIM_CACHE_DIR: "" };
    expect(runScript(printRoot, join(project, "src", "deep"), env)).toBe(join(project, "node_modules", ".cache", "spec2-hdl"));
    expect(runScript(printRoot, project, { SIM_CACHE_DIR: join(scratch, "mine") })).toBe(join(scratch, "mine"));
  });

  it("is a temporary directory outside any project", () => {
    const lone = mkdtempSync(join(tmpdir(), "no-project-"));
    try {
      expect(runScript(printRoot, lone, { SIM_CACHE_DIR: "" })).toBe(join(tmpdir(), "spec2-hdl-cache"));
    } finally {
      rmSync(lone, { recursive: true, force: true });
    }
  });
});

const leftovers = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((n) => n.includes(".tmp-"));
  } catch {
    return [];
  }
};

describe("interrupted builds", () => {
  it("a build interrupted with SIGTERM removes its directory", async () => {
    const cache = join(scratch, "term");
    // A design of its own (the seed), so the build is cold; Verilator takes seconds, enough to interrupt.
    const script = `import { Input, Output, UInt, defineModule, elaborate } from ${JSON.stringify(join(root, "hdl/core/index.ts"))};
import { simulate } from ${JSON.stringify(join(root, "sim/index.ts"))};
const D = defineModule("Interrupted", () => { const a = Input(UInt(8)); const y = Output(UInt(8)); y.assign(a.addWrap(${Date.now() % 250})); return { a, y }; });
await simulate(elaborate(D), { backend: "verilator", cacheDir: ${JSON.stringify(cache)} });
`;
    const file = join(scratch, "interrupted.mts");
    writeFileSync(file, script);
    const child = spawn(process.execPath, ["--import", join(root, "node_modules/tsx/dist/esm/index.mjs"), file], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on("exit", (_code, signal) => res(signal)));
    const dir = join(cache, "verilator");
    const t0 = Date.now();
    while (leftovers(dir).length === 0) {
      if (Date.now() - t0 > 60_000) throw new Error(`the build never started: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGTERM");
    expect(await exited).toBe("SIGTERM");
    expect(leftovers(dir)).toEqual([]);
  });

  it("a build directory of a process killed outright is swept by the next build", async () => {
    const cache = join(scratch, "killed");
    const stale = join(cache, "iverilog", `${"0".repeat(64)}.tmp-999999999-abcdef`);
    mkdirSync(join(stale, "obj"), { recursive: true });
    const D = defineModule("Swept", () => {
      const a = Input(UInt(4));
      const y = Output(UInt(4));
      y.assign(a.not());
      return { a, y };
    });
    const sim = await simulate(elaborate(D), { cacheDir: cache });
    await sim.close();
    expect(leftovers(join(cache, "iverilog"))).toEqual([]);
  });
});
