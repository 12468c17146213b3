/**
 * Resource report from the command line:
 *
 *   npx tsx synth/report.ts <design.ts | file.v> [--top NAME] [--target xilinx7|generic] [--json] [--native] [--timeout S]
 *   npx tsx synth/report.ts <design.ts> --module NAME [--params JSON] [...]
 *
 * A `.ts`/`.js` input must `export default` (or `export const design`) an ElaboratedDesign or a
 * zero-argument function returning one; or name an exported module generator with `--module`
 * (and its parameters with `--params`). Progress goes to stderr; the report (a table, or JSON
 * with --json) to stdout. Exit code 0 on success, 1 when Yosys fails, 2 on bad arguments or input.
 */
import { readFileSync } from "node:fs";
import type { ElaboratedDesign } from "../hdl/core/design.js";
import { isMain } from "../hdl/core/main.js";
import { CliError, UsageError, choiceOption, integerOption, parseCommandLine, runMain, stringOption } from "../hdl/core/cli.js";
import { DesignModuleError, loadDesignModule, parseParamsOption } from "./load.js";
import { progressPrinter } from "./progress.js";
import { formatReport, synthesize } from "./synthesize.js";
import { YosysError } from "./yosys.js";

const USAGE = `usage: npx tsx synth/report.ts <design.ts | file.v> [options]

Synthesises a design with Yosys and prints its resources.

  <design.ts>       exports default (or design) an ElaboratedDesign or a function returning one
  <file.v>          plain Verilog (.v, .sv)
  --module NAME     elaborate the exported module generator NAME instead
  --params JSON     its parameters, e.g. '{"width":16,"depth":1024}'
  --top NAME        top module (default: the design's, or Yosys' choice for plain Verilog)
  --target T        xilinx7 (synth_xilinx, default) or generic (6-input LUTs)
  --json            the whole report as JSON
  --native          use the yosys on PATH (else, and when there is none, @yowasp/yosys)
  --timeout S       stop Yosys after S seconds (default 1800)
  -h, --help        this text`;

const OPTIONS = {
  module: { type: "string" },
  params: { type: "string" },
  top: { type: "string" },
  target: { type: "string" },
  json: { type: "boolean" },
  native: { type: "boolean" },
  timeout: { type: "string" },
} as const;


async function loadInput(file: string, module: string | undefined, params: unknown): Promise<ElaboratedDesign | string> {
  if (/\.(v|sv|vh)$/i.test(file)) {
    try {
      return readFileSync(file, "utf8");
    } catch (e) {
      throw new CliError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 2);
    }
  }
  return loadDesignModule(file, module !== undefined ? { module, params } : {});
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const cl = parseCommandLine({ usage: USAGE, options: OPTIONS, positionals: { min: 1, max: 1 }, argv });
  if (!cl) return;
  const file = cl.positionals[0]!;
  const target = choiceOption(cl, "target", ["xilinx7", "generic"] as const, "xilinx7");
  const timeoutS = integerOption(cl, "timeout", { min: 1 }, 1800);
  const module = stringOption(cl, "module");
  const params = parseParamsOption(stringOption(cl, "params"), USAGE);
  if (params !== undefined && module === undefined) throw new UsageError("--params needs --module NAME: the generator to give them to", USAGE);
  const native = cl.values.native === true;
  const top = stringOption(cl, "top");
  const input = await loadInput(file, module, params);
  const progress = progressPrinter();
  process.stderr.write(`synthesizing ${file} for ${target}${native ? " (native yosys)" : " (@yowasp/yosys)"}\n`);
  try {
    const report = await synthesize(input, {
      target,
      native,
      timeoutMs: timeoutS * 1000,
      onProgress: progress.update,
      onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
      ...(top !== undefined ? { top } : {}),
    });
    process.stdout.write(cl.values.json === true ? JSON.stringify(report, null, 2) + "\n" : formatReport(report) + "\n");
  } finally {
    progress.done();
  }
}

/** Exit codes of the errors this command expects. */
function exitCode(e: unknown): number | undefined {
  if (e instanceof DesignModuleError) return 2;
  if (e instanceof YosysError) return 1;
  return undefined;
}

if (isMain(import.meta.url)) runMain("synth/report", () => main(), exitCode);
