/**
 * Formal proofs from the command line:
 *
 *   npx tsx synth/prove.ts design.ts --module NAME [--params JSON] --depth N [--mode bmc|prove|cover] [--vcd FILE] [--json]
 *
 * Elaborates the generator (or takes the file's `default` / `design` export) and proves its
 * assertions (`prove`: BMC from reset, then k-induction), checks them for N cycles (`bmc`) or
 * finds traces to its covers (`cover`), with Yosys's sat pass or yosys-smtbmc and z3. Prints the verdict, and for a
 * failure the assertion's file:line and message, the failing step and the per-cycle table of
 * the ports; `--vcd` keeps the trace. Exit code 0 when proved (or every cover reached), 1 with a
 * counterexample or an unknown result, 2 on bad arguments.
 */
import { copyFileSync } from "node:fs";
import { isMain } from "../hdl/core/main.js";
import { CliError, UsageError, checkOutputPath, choiceOption, integerOption, parseCommandLine, requiredOption, runMain, stringOption } from "../hdl/core/cli.js";
import { DesignModuleError, loadDesignModule, parseParamsOption } from "./load.js";
import { ProveError, proveDesign, type ProveResult } from "./formal.js";

export { prove, proveDesign, ProveError, ProveToolMissingError } from "./formal.js";
export type { CoverResult, ProveEngine, ProveMode, ProveOptions, ProveResult, Solver, Trace } from "./formal.js";

const USAGE = `usage: npx tsx synth/prove.ts <design.ts> [--module NAME [--params JSON]] --depth N [options]

Proves a design's assert statements (or reaches its covers) with yosys-smtbmc and z3.

  <design.ts>       exports default (or design) an ElaboratedDesign or a function returning one
  --module NAME     elaborate the exported module generator NAME instead
  --params JSON     its parameters, e.g. '{"width":8,"depth":4}'
  --depth N         cycles: the BMC bound and induction length, or how far to look for covers
  --mode M          prove (BMC then k-induction, default), bmc (N cycles from reset) or cover
  --engine E        sat (Yosys's own SAT solver; default for prove and bmc) or smtbmc
                    (yosys-smtbmc with z3: shortest counterexamples, and covers)
  --solver S        smtbmc's solver: z3 (default) or boolector
  --vcd FILE        write the counterexample (or the first cover trace) there
  --json            print the result as JSON
  -h, --help        this text`;

const OPTIONS = {
  module: { type: "string" },
  params: { type: "string" },
  depth: { type: "string" },
  mode: { type: "string" },
  engine: { type: "string" },
  solver: { type: "string" },
  vcd: { type: "string" },
  json: { type: "boolean" },
} as const;


/** The result as the command prints it. */
export function formatResult(r: ProveResult, top: string): string {
  const checks = r.checks.map((c) => `  ${c.site}: ${c.message}`).join("\n");
  const took = `${(r.elapsedMs / 1000).toFixed(1)} s`;
  switch (r.status) {
    case "proved":
      return r.mode === "prove"
        ? `${top}: proved (k-induction, depth ${r.depth}, ${took}):\n${checks}`
        : `${top}: no counterexample in ${r.depth} cycles from reset (bmc, ${took}):\n${checks}`;
    case "failed":
      return `${top}: FAILED at step ${r.step} (${r.mode}, ${took})\n${r.check.site}: assertion failed: ${r.check.message}\ncounterexample (${r.trace.vcd}):\n${r.trace.table}`;
    case "covered":
      return [`${top}: every cover reached within ${r.depth} cycles (${took})`, ...r.covers.map((c) => `${c.check.site}: ${c.check.message} reached at step ${c.step} (${c.trace.vcd}):\n${c.trace.table}`)].join("\n");
    case "unknown":
      return `${top}: unknown (${r.mode}, depth ${r.depth}, ${took}): ${r.reason}${r.trace ? `\ntrace (${r.trace.vcd}):\n${r.trace.table}` : ""}`;
  }
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const cl = parseCommandLine({ usage: USAGE, options: OPTIONS, positionals: { min: 1, max: 1 }, argv });
  if (!cl) return;
  const file = cl.positionals[0]!;
  requiredOption(cl, "depth");
  const depth = integerOption(cl, "depth", { min: 1, max: 10_000 })!;
  const mode = choiceOption(cl, "mode", ["prove", "bmc", "cover"] as const, "prove");
  const solver = choiceOption(cl, "solver", ["z3", "boolector"] as const, "z3");
  const engine = choiceOption(cl, "engine", ["sat", "smtbmc"] as const, mode === "cover" ? "smtbmc" : "sat");
  const module = stringOption(cl, "module");
  const params = parseParamsOption(stringOption(cl, "params"), USAGE);
  if (params !== undefined && module === undefined) throw new UsageError("--params needs --module NAME: the generator to give them to", USAGE);
  const vcdOut = stringOption(cl, "vcd");
  const vcdPath = vcdOut !== undefined ? checkOutputPath(vcdOut, "--vcd") : undefined;
  const design = await loadDesignModule(file, module !== undefined ? { module, params } : {});
  let r: ProveResult;
  try {
    r = await proveDesign(design, { depth, mode, solver, engine });
  } catch (e) {
    if (e instanceof ProveError) throw new CliError(e.message, /has no (assert|cover) statements|needs the smtbmc engine/.test(e.message) ? 2 : 1);
    throw e;
  }
  const trace = r.status === "failed" ? r.trace : r.status === "covered" ? r.covers[0]?.trace : r.status === "unknown" ? r.trace : undefined;
  if (vcdPath !== undefined && trace !== undefined) copyFileSync(trace.vcd, vcdPath);
  process.stdout.write(cl.values.json === true ? `${JSON.stringify(r, null, 2)}\n` : `${formatResult(r, design.top)}\n`);
  process.exitCode = r.status === "proved" || r.status === "covered" ? 0 : 1;
}

function exitCode(e: unknown): number | undefined {
  if (e instanceof DesignModuleError) return 2;
  if (e instanceof ProveError) return 1;
  return undefined;
}

if (isMain(import.meta.url)) runMain("synth/prove", () => main(), exitCode);
