/**
 * Resource report from the command line:
 *
 *   npx tsx synth/report.ts <design.ts | file.v> [--top NAME] [--target xilinx7|generic] [--json] [--native]
 *
 * A `.ts`/`.js` input must `export default` (or `export const design`) an
 * ElaboratedDesign or a zero-argument function returning one; or name an exported
 * module generator with `--module Fifo --params '{"width":16,"depth":1024}'`. Progress goes to
 * stderr; the report (a table, or JSON with --json) to stdout.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { ElaboratedDesign } from "../hdl/core/design.js";
import { loadDesignModule } from "./load.js";
import { formatReport, synthesize, type SynthTarget } from "./synthesize.js";
import type { YosysProgress } from "./yosys.js";

const USAGE =
  "usage: npx tsx synth/report.ts <design.ts | file.v> [--top NAME] [--target xilinx7|generic] [--json] [--native]\n" +
  "       npx tsx synth/report.ts <file.ts> --module EXPORT [--params JSON] [...]   (elaborate an exported module generator)";

interface Args {
  file: string;
  module?: string;
  params?: unknown;
  top?: string;
  target: SynthTarget;
  json: boolean;
  native: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  let file: string | undefined;
  let top: string | undefined;
  let target: SynthTarget = "xilinx7";
  let json = false;
  let native = false;
  let module: string | undefined;
  let params: unknown;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === "--top") top = value();
    else if (a.startsWith("--top=")) top = a.slice(6);
    else if (a === "--target" || a.startsWith("--target=")) {
      const t = a === "--target" ? value() : a.slice(9);
      if (t !== "xilinx7" && t !== "generic") throw new Error(`unknown target "${t}"\n${USAGE}`);
      target = t;
    } else if (a === "--module") module = value();
    else if (a === "--params") {
      const text = value();
      try {
        params = JSON.parse(text);
      } catch {
        throw new Error(`--params must be JSON, got ${text}\n${USAGE}`);
      }
    } else if (a === "--json") json = true;
    else if (a === "--native") native = true;
    else if (a === "-h" || a === "--help") {
      process.stdout.write(USAGE + "\n");
      process.exit(0);
    } else if (a.startsWith("-")) throw new Error(`unknown option ${a}\n${USAGE}`);
    else if (file === undefined) file = a;
    else throw new Error(`only one input file expected\n${USAGE}`);
  }
  if (file === undefined) throw new Error(USAGE);
  return {
    file,
    target,
    json,
    native,
    ...(top !== undefined ? { top } : {}),
    ...(module !== undefined ? { module, params } : {}),
  };
}

function progressPrinter(): { update: (p: YosysProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  const frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
  let k = 0;
  let lastTop = "";
  let lastDraw = 0;
  return {
    update(p) {
      const secs = (p.elapsedMs / 1000).toFixed(1).padStart(5);
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 80) return;
        lastDraw = now;
        const line = `${frames[k++ % frames.length]} yosys ${secs}s  ${p.pass}`;
        process.stderr.write(`\r${line.slice(0, (process.stderr.columns || 80) - 1).padEnd(60)}`);
      } else {
        // Not a terminal: one line per top-level step (e.g. "3.27 MEMORY"), at most one a second.
        const top = p.pass.split(" ")[0]!.split(".").slice(0, 2).join(".");
        const now = Date.now();
        if (top !== lastTop && now - lastDraw >= 1000) {
          lastTop = top;
          lastDraw = now;
          process.stderr.write(`[yosys ${secs}s] ${p.pass}\n`);
        }
      }
    },
    done() {
      if (tty) process.stderr.write("\r" + " ".repeat(70) + "\r");
    },
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  let input: ElaboratedDesign | string;
  if (/\.(v|sv|vh)$/i.test(args.file)) input = await readFile(args.file, "utf8");
  else input = await loadDesignModule(args.file, args.module !== undefined ? { module: args.module, params: args.params } : {});
  const progress = progressPrinter();
  process.stderr.write(`synthesizing ${args.file} for ${args.target}${args.native ? " (native yosys)" : " (@yowasp/yosys)"}\n`);
  try {
    const report = await synthesize(input, {
      target: args.target,
      native: args.native,
      onProgress: progress.update,
      onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
      ...(args.top !== undefined ? { top: args.top } : {}),
    });
    progress.done();
    process.stdout.write(args.json ? JSON.stringify(report, null, 2) + "\n" : formatReport(report) + "\n");
    return 0;
  } catch (e) {
    progress.done();
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
