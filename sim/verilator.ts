/**
 * The Verilator backend: verilates and compiles a design with its harness
 * (verilator-harness.ts) into a cached executable that speaks the line protocol. The
 * design-independent Verilator runtime objects are compiled once per version and flags.
 */
import { copyFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ElaboratedDesign } from "../hdl/core/design.js";
import { buildAtomically, cacheRoot, evictOld, exists, sha256, touch } from "./build-cache.js";
import { designKey, writeDesignFiles } from "./design-files.js";
import { SimCompileError } from "./errors.js";
import type { Launch } from "./launch.js";
import { portTable, type PortTable } from "./ports.js";
import { resolveProbes } from "./probes.js";
import { sourceHints } from "./source-hints.js";
import { runTool, toolVersion } from "./tool-run.js";
import { verilatorHarness } from "./verilator-harness.js";
import { probeTop, probeWrapper } from "./verilator-probes.js";

export { verilatorHarness } from "./verilator-harness.js";

export const VERILATOR_INSTALL = "apt-get install verilator";

export interface VerilatorOptions {
  cacheDir?: string;
  /** Build with --trace (needed for VCD output). */
  trace?: boolean;
  /** Extra arguments for verilator. */
  verilatorArgs?: readonly string[];
  /** "run" (default: Verilator's -Os for the design's C++) or "build" (-O0: quicker to compile, slower to run) */
  optimize?: "run" | "build";
  /** Internal signals to bring out (`SimOptions.probes`; buildVerilator only, simulate passes its own). */
  probes?: readonly string[];
}

export interface VerilatorBuild {
  readonly binary: string;
  /** True if the model came from the cache. */
  readonly cached: boolean;
  readonly dir: string;
}

/**
 * Verilate and compile the model of `design` with its harness, or reuse it from the
 * cache (`cached: true`). `simulate()` calls this; call it directly to prebuild.
 */
export async function buildVerilator(design: ElaboratedDesign, opts: VerilatorOptions = {}): Promise<VerilatorBuild> {
  return buildModel(portTable(design, resolveProbes(design, opts.probes)), opts);
}

async function buildModel(t: PortTable, opts: VerilatorOptions): Promise<VerilatorBuild> {
  const version = await toolVersion("verilator", "--version", VERILATOR_INSTALL);
  const harness = verilatorHarness(t);
  // With probes, the wrapper is the top (and part of the key through the arguments and its text).
  const wrapper = t.probes.length > 0 ? probeWrapper(t) : "";
  const args = [
    "--cc",
    "--exe",
    "--prefix",
    "Vdut",
    "--top-module",
    wrapper ? probeTop(t) : t.design.top,
    "-Wno-fatal",
    "-Wno-lint",
    "-Wno-style",
    "-Wno-TIMESCALEMOD",
    // Verilator 5.006's DFG optimisation miscomputed a random design (test/sim/three-way-found.test.ts)
    "-fno-dfg",
    ...(opts.trace ? ["--trace"] : []),
    ...(opts.verilatorArgs ?? []),
    "--Mdir",
    "obj",
    "-o",
    "Vsim",
    "design.v",
    ...(wrapper ? ["probes.v"] : []),
    "harness.cpp",
  ];
  // the design's C++ (the runtime objects are shared whatever the level: they link either way)
  const makeOpt = opts.optimize === "build" ? ["OPT_FAST=-O0", "OPT_SLOW=-O0"] : [];
  const key = sha256("verilator", version, args.join(" "), ...makeOpt, ...designKey(t.design), harness, wrapper);
  const dir = join(opts.cacheDir ?? cacheRoot(), "verilator", key);
  const binary = join(dir, "obj", "Vsim");
  if (await exists(binary)) {
    await touch(dir);
    return { binary, cached: true, dir };
  }
  const root = join(opts.cacheDir ?? cacheRoot(), "verilator");
  // The Verilator runtime (verilated.o, verilated_threads.o, verilated_vcd_c.o) does not
  // depend on the design: compile it once per Verilator version and flags, and seed every
  // build with those objects (about two thirds of a cold build's compile time).
  const runtimeDir = join(root, `runtime-${sha256("verilator-runtime", version, opts.trace ? "trace" : "", (opts.verilatorArgs ?? []).join(" ")).slice(0, 32)}`);
  await buildAtomically(dir, async (tmp) => {
    const verilog = await writeDesignFiles(t.design, tmp, dir);
    await writeFile(join(tmp, "harness.cpp"), harness);
    if (wrapper) await writeFile(join(tmp, "probes.v"), wrapper);
    const r = await runTool("verilator", args, { cwd: tmp, installHint: VERILATOR_INSTALL, timeoutMs: 600_000 });
    if (r.code !== 0) {
      const output = r.stderr.trim() || r.stdout.trim();
      throw new SimCompileError("verilator", trimOutput(output), sourceHints(output, "design.v", verilog));
    }
    const obj = join(tmp, "obj");
    const haveRuntime = await exists(join(runtimeDir, "ok"));
    if (haveRuntime) {
      for (const f of await readdir(runtimeDir)) if (f.endsWith(".o")) await copyFile(join(runtimeDir, f), join(obj, f));
    }
    const m = await runTool("make", ["-j", "2", "-C", "obj", "-f", "Vdut.mk", ...makeOpt], {
      cwd: tmp,
      installHint: "apt-get install make g++",
      timeoutMs: 600_000,
    });
    if (m.code !== 0 || !(await exists(join(obj, "Vsim")))) {
      const output = m.stderr.trim() || m.stdout.trim();
      throw new SimCompileError("verilator (C++ build)", trimOutput(output), sourceHints(output, "design.v", verilog));
    }
    if (!haveRuntime) {
      const objs = (await readdir(obj)).filter((f) => /^verilated.*\.o$/.test(f));
      await buildAtomically(runtimeDir, async (rt) => {
        for (const f of objs) await copyFile(join(obj, f), join(rt, f));
        await writeFile(join(rt, "ok"), version);
      }).catch(() => undefined);
    }
    // Keep only the executable: the objects and generated C++ are ~10x its size.
    for (const f of await readdir(obj)) if (f !== "Vsim") await rm(join(obj, f), { recursive: true, force: true });
  });
  await evictOld(dir);
  return { binary, cached: false, dir };
}

function trimOutput(s: string): string {
  const lines = s.split("\n");
  const errs = lines.filter((l) => /%Error|error:/i.test(l));
  const keep = errs.length > 0 && lines.length > 40 ? errs.slice(0, 30) : lines.slice(0, 60);
  return keep.join("\n");
}

export async function prepareVerilator(t: PortTable, opts: VerilatorOptions): Promise<Launch> {
  const b = await buildModel(t, opts);
  return { tool: "verilator", command: b.binary, args: [], vcdArg: (path) => `+vcd=${path}` };
}
