/**
 * Formal verification of a design's assert / assume / cover statements, with two engines:
 * `sat`, Yosys's own SAT solver (formal-sat.ts; in-process, no native install), and `smtbmc`,
 * Yosys's SMT flow: Yosys writes an SMT-LIB model (formal-files.ts), yosys-smtbmc searches it
 * with z3 (native tools: `yosys`, `yosys-smtbmc` from Debian `yosys`, and `z3`). smtbmc finds the
 * shortest counterexample and reaches covers; z3 stalls on some designs with synchronously read
 * memories that the sat engine proves in seconds, so sat is the default for bmc and prove.
 *
 *   bmc    every assertion holds in every trace of `depth` cycles from reset
 *   prove  bmc, then k-induction of length `depth`: proved for every trace, of any length
 *   cover  a trace from reset to each cover statement, within `depth` cycles
 *
 * A failure comes back with the step, the assertion's file:line and message, the counterexample
 * as a VCD and as a per-cycle table of the top's ports. Step 0 is the reset cycle, like cycle 0
 * of a simulation that starts with `reset()`.
 */
import { spawn, spawnSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ElaboratedDesign, VerificationInfo } from "../hdl/core/design.js";
import { elaborate } from "../hdl/core/elaborate.js";
import type { ModuleDef } from "../hdl/core/module.js";
import { formatTrace, traceRows, type TraceRow } from "./counterexample.js";
import { FORMAL_TOP, formalWrapper, smt2Script } from "./formal-files.js";
import { satProve } from "./formal-sat.js";
import { ProveError, ProveToolMissingError } from "./prove-error.js";
import { readSteps } from "./vcd.js";

export type ProveMode = "bmc" | "prove" | "cover";
/** `smtbmc`: yosys-smtbmc with a solver (native tools); `sat`: Yosys's own SAT solver, no native install needed. */
export type ProveEngine = "smtbmc" | "sat";
export type Solver = "z3" | "boolector";

export interface ProveOptions {
  /** Cycles: the BMC bound, the induction length, or how far to look for covers. */
  readonly depth: number;
  readonly mode?: ProveMode;
  /** Default: "sat" for bmc and prove, "smtbmc" for cover (the only engine with covers). */
  readonly engine?: ProveEngine;
  /** smtbmc's solver (default z3). */
  readonly solver?: Solver;
  /** Where trace VCDs are kept (default: a new temporary directory). */
  readonly outDir?: string;
  /** Wall-time limit per tool run (default 10 minutes). */
  readonly timeoutMs?: number;
}

/** A trace: the VCD file smtbmc wrote and the per-cycle values of the top's ports. */
export interface Trace {
  readonly vcd: string;
  readonly rows: readonly TraceRow[];
  /** `rows` as a table, the interesting step marked. */
  readonly table: string;
}

interface Common {
  readonly mode: ProveMode;
  readonly depth: number;
  readonly elapsedMs: number;
  /** The statements the run was about (asserts for bmc/prove, covers for cover). */
  readonly checks: readonly VerificationInfo[];
}

export type ProveResult =
  | (Common & { readonly status: "proved" })
  | (Common & { readonly status: "failed"; readonly step: number; readonly check: VerificationInfo; readonly trace: Trace })
  | (Common & { readonly status: "covered"; readonly covers: readonly CoverResult[] })
  | (Common & { readonly status: "unknown"; readonly reason: string; readonly trace?: Trace; readonly covers?: readonly CoverResult[] });

export interface CoverResult {
  readonly check: VerificationInfo;
  readonly step: number;
  readonly trace: Trace;
}

export { ProveError, ProveToolMissingError } from "./prove-error.js";

/** Elaborates `def` with `params` (`undefined` for a generator without any) and proves (or covers) its checks. */
export function prove<P, IO>(def: ModuleDef<P, IO>, params: P, opts: ProveOptions): Promise<ProveResult> {
  const design = (elaborate as (d: ModuleDef<P, IO>, p?: P) => ElaboratedDesign)(def, params);
  return proveDesign(design, opts);
}

/** Proves (or covers) the checks of an elaborated design. */
export async function proveDesign(design: ElaboratedDesign, opts: ProveOptions): Promise<ProveResult> {
  const mode = opts.mode ?? "prove";
  checkOptions(design, opts, mode);
  const start = Date.now();
  const outDir = resolve(opts.outDir ?? (await mkdtemp(join(tmpdir(), "spec2-trace-"))));
  await mkdir(outDir, { recursive: true });
  if ((opts.engine ?? (mode === "cover" ? "smtbmc" : "sat")) === "sat") {
    const r = await satOutcome(design, mode as "bmc" | "prove", opts, outDir);
    return { ...r, mode, depth: opts.depth, elapsedMs: Date.now() - start } as ProveResult;
  }
  const work = await mkdtemp(join(tmpdir(), "spec2-prove-"));
  const run = new Run(design, work, outDir, opts, mode);
  try {
    await run.model();
    const r = mode === "cover" ? await run.cover() : await run.assertions();
    return { ...r, mode, depth: opts.depth, elapsedMs: Date.now() - start } as ProveResult;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function satOutcome(design: ElaboratedDesign, mode: "bmc" | "prove", opts: ProveOptions, outDir: string): Promise<Outcome> {
  const checks = (design.verification ?? []).filter((v) => v.kind === "assert");
  const native = spawnSync("yosys", ["-V"], { stdio: "ignore" }).status === 0;
  const v = await satProve(design, mode, opts.depth, native, opts.timeoutMs ?? 600_000);
  if (v.status === "proved") return { status: "proved", checks };
  if (v.status === "unknown") {
    const what = mode === "bmc" ? "the bounded check gave no verdict" : `no counterexample from reset in ${opts.depth} cycles, but no induction up to length ${opts.depth} succeeded: strengthen the assertions (or raise the depth)`;
    return { status: "unknown", checks, reason: what };
  }
  const vcd = join(outDir, `${design.top}-${mode}.vcd`);
  await writeFile(vcd, v.vcd ?? "");
  return { status: "failed", checks, step: v.step!, check: v.check ?? unknownCheck("the trace"), trace: { vcd, rows: v.rows ?? [], table: v.table ?? "" } };
}

function checkOptions(design: ElaboratedDesign, opts: ProveOptions, mode: ProveMode): void {
  if (opts.engine !== undefined && opts.engine !== "smtbmc" && opts.engine !== "sat") throw new ProveError(`engine must be smtbmc or sat, got ${JSON.stringify(opts.engine)}`);
  if (opts.engine === "sat" && mode === "cover") throw new ProveError("cover needs the smtbmc engine (Yosys's sat pass proves assertions only)");
  if (!Number.isSafeInteger(opts.depth) || opts.depth < 1) throw new ProveError(`depth must be a positive integer, got ${opts.depth}`);
  if (!["bmc", "prove", "cover"].includes(mode)) throw new ProveError(`mode must be bmc, prove or cover, got ${JSON.stringify(mode)}`);
  const wanted = mode === "cover" ? "cover" : "assert";
  if (!(design.verification ?? []).some((v) => v.kind === wanted)) {
    throw new ProveError(`${design.top} has no ${wanted} statements: nothing to ${mode === "cover" ? "cover" : "prove"} (see hdl/core/README.md#assertions)`);
  }
}

type Outcome = Omit<Extract<ProveResult, { status: "proved" }>, "mode" | "depth" | "elapsedMs"> | Record<string, unknown>;

class Run {
  private verilogLines: string[] = [];

  constructor(
    private readonly design: ElaboratedDesign,
    private readonly work: string,
    private readonly outDir: string,
    private readonly opts: ProveOptions,
    private readonly mode: ProveMode,
  ) {}

  private get checks(): VerificationInfo[] {
    const kind = this.mode === "cover" ? "cover" : "assert";
    return (this.design.verification ?? []).filter((v) => v.kind === kind);
  }

  async model(): Promise<void> {
    this.verilogLines = this.design.verilog.split("\n");
    await writeFile(join(this.work, "design.v"), this.design.verilog);
    await writeFile(join(this.work, "wrapper.v"), formalWrapper(this.design));
    for (const [name, text] of Object.entries(this.design.files ?? {})) await writeFile(join(this.work, name), text);
    const r = await this.tool("yosys", ["-q", "-p", smt2Script()]);
    if (r.code !== 0) {
      const errors = (r.stdout + r.stderr).split("\n").filter((l) => /ERROR/.test(l));
      throw new ProveError(`yosys could not build the formal model of ${this.design.top}:\n${(errors.length > 0 ? errors : [r.stderr.trim()]).join("\n")}`);
    }
  }

  async assertions(): Promise<Outcome> {
    const bmc = await this.smtbmc([], "bmc");
    if (/Assumptions are unsatisfiable/.test(bmc.stdout)) {
      return { status: "unknown", checks: this.checks, reason: "the assumptions contradict each other: no trace satisfies them, so nothing is checked" };
    }
    const failed = /Assert failed in \S+: (\S+)/.exec(bmc.stdout);
    if (failed) {
      const check = this.checkAt(failed[1]!) ?? unknownCheck(failed[1]!);
      const step = lastStep(bmc.stdout, /Checking assertions in step (\d+)/g);
      const trace = await this.trace(bmc.stdout, "bmc", { step, note: `assertion fails: ${check.message}` });
      return { status: "failed", checks: this.checks, step, check, trace };
    }
    this.expectPassed(bmc, "bmc");
    if (this.mode === "bmc") return { status: "proved", checks: this.checks };
    const ind = await this.smtbmc(["-i"], "induction");
    if (/Temporal induction successful/.test(ind.stdout)) return { status: "proved", checks: this.checks };
    const at = /Assert failed in \S+: (\S+)/.exec(ind.stdout);
    const check = at ? this.checkAt(at[1]!) : undefined;
    const trace = await this.trace(ind.stdout, "induction", { step: this.opts.depth, note: "not inductive here" });
    const what = check ? `${check.site}: ${check.message}` : "an assertion";
    return {
      status: "unknown",
      checks: this.checks,
      reason: `no counterexample from reset in ${this.opts.depth} cycles, but induction of length ${this.opts.depth} failed for ${what}: strengthen the assertions (or raise the depth)`,
      trace,
    };
  }

  async cover(): Promise<Outcome> {
    const r = await this.smtbmc(["-c"], "cover");
    const reached: CoverResult[] = [];
    const lines = r.stdout.split("\n");
    let pending: { check: VerificationInfo; step: number }[] = [];
    for (const line of lines) {
      const hit = /Reached cover statement at (\S+) .* in step (\d+)\./.exec(line);
      if (hit) pending.push({ check: this.checkAt(hit[1]!) ?? unknownCheck(hit[1]!), step: Number(hit[2]) });
      const file = /Writing trace to VCD file: (\S+)/.exec(line);
      if (file && pending.length > 0) {
        for (const p of pending) reached.push({ ...p, trace: await this.readTrace(file[1]!, `cover-${p.check.index}`, { step: p.step, note: `reaches ${p.check.message}` }) });
        pending = [];
      }
    }
    const missed = this.checks.filter((c) => !reached.some((h) => h.check.index === c.index));
    if (missed.length === 0) return { status: "covered", checks: this.checks, covers: reached };
    const names = missed.map((c) => `${c.site}: ${c.message}`).join(", ");
    return { status: "unknown", checks: this.checks, covers: reached, reason: `not reached within ${this.opts.depth} cycles: ${names}` };
  }

  private smtbmc(extra: readonly string[], what: string): Promise<ToolResult> {
    const solver = this.opts.solver ?? "z3";
    return this.tool("yosys-smtbmc", ["-s", solver, "--presat", ...extra, "-t", String(this.opts.depth), "--dump-vcd", `${what}%.vcd`, "model.smt2"], solver);
  }

  private expectPassed(r: ToolResult, what: string): void {
    if (r.code !== 0 || !/Status: PASSED/.test(r.stdout)) {
      throw new ProveError(`yosys-smtbmc (${what}) ended without a verdict (exit ${r.code}):\n${(r.stdout + r.stderr).trim().split("\n").slice(-12).join("\n")}`);
    }
  }

  /** The check whose formal statement is at `src` (`design.v:41.27-42.25`: the statement ends on line 42). */
  private checkAt(src: string): VerificationInfo | undefined {
    const m = /^(.*?):\d+\.\d+-(\d+)\.\d+$/.exec(src);
    if (!m || !m[1]!.endsWith("design.v")) return undefined;
    const tag = /\/\/ check (\d+):/.exec(this.verilogLines[Number(m[2]) - 1] ?? "");
    return tag ? this.design.verification?.[Number(tag[1])] : undefined;
  }

  private async trace(stdout: string, what: string, mark: { step: number; note: string }): Promise<Trace> {
    const file = /Writing trace to VCD file: (\S+)/.exec(stdout);
    if (!file) throw new ProveError(`yosys-smtbmc (${what}) reported a trace but wrote no VCD`);
    return this.readTrace(file[1]!, what, mark);
  }

  private async readTrace(file: string, name: string, mark: { step: number; note: string }): Promise<Trace> {
    const vcd = join(this.outDir, `${this.design.top}-${name}.vcd`);
    await copyFile(join(this.work, file), vcd);
    const all = traceRows(readSteps(await readFile(vcd, "utf8"), [FORMAL_TOP]), this.design.ports, this.design.clock);
    // smtbmc appends the step after a failure or a cover: leave it out of the table
    const rows = name === "induction" ? all : all.filter((r) => r.step <= mark.step);
    return { vcd, rows, table: formatTrace(rows, mark) };
  }

  private tool(command: string, args: readonly string[], needs?: string): Promise<ToolResult> {
    return runTool(command, args, this.work, this.opts.timeoutMs ?? 600_000, needs);
  }
}

function unknownCheck(src: string): VerificationInfo {
  return { index: -1, kind: "assert", message: `a check at ${src}`, site: src, module: "?" };
}

function lastStep(text: string, re: RegExp): number {
  let step = 0;
  for (const m of text.matchAll(re)) step = Number(m[1]);
  return step;
}

interface ToolResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runTool(command: string, args: readonly string[], cwd: string, timeoutMs: number, needs?: string): Promise<ToolResult> {
  return new Promise((res, rej) => {
    // a process group of its own, so the time limit also stops the solver smtbmc started
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const stop = (): void => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(stop, timeoutMs);
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      rej(e.code === "ENOENT" ? new ProveToolMissingError(command) : e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") return rej(new ProveError(`${command} timed out after ${timeoutMs} ms and was stopped`));
      if (needs && /No such file|not found|FileNotFoundError|Failed to start/i.test(stderr) && new RegExp(needs).test(stderr)) return rej(new ProveToolMissingError(needs));
      res({ code, stdout, stderr });
    });
  });
}
