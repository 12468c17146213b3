/**
 * Writes the VGG16-scale PE array (vgg16-pe-array.ts) for synthesis with its kernel-ROM contents
 * moved from inline initial blocks to `$readmemh` files (the same words). Yosys reads those files
 * in seconds, where the inline form costs minutes per ROM in the WebAssembly build.
 *
 *   npx tsx hdl/spec2/perf/vgg16-pe-array-synth.ts OUT_DIR
 *   npx tsx synth/report.ts OUT_DIR/vgg16-pe-array.v --top <printed top> --json
 */
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { isMain } from "../../core";
import { parseCommandLine, runMain, writeFileAtomic } from "../../core/cli";
import design from "./vgg16-pe-array";

/** Replaces every `initial begin mem[i] = W'dV; ... end` block by `$readmemh` of a file in `dir`. */
export function splitInitialBlocks(verilog: string, dir: string): { verilog: string; files: Map<string, string> } {
  const files = new Map<string, string>();
  const lines = verilog.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\s*)initial begin$/.exec(lines[i]!);
    if (!head) {
      out.push(lines[i]!);
      continue;
    }
    const words: string[] = [];
    let name = "";
    let j = i + 1;
    for (; !/^\s*end$/.test(lines[j]!); j++) {
      const w = /^\s*(\w+)\[\d+\] = \d+'[db](\d+);$/.exec(lines[j]!);
      if (!w) throw new Error(`unexpected line in an initial block: ${lines[j]}`);
      name = w[1]!;
      words.push(BigInt(w[2]!).toString(16));
    }
    const file = path.join(dir, `rom${files.size}.hex`);
    files.set(file, `${words.join("\n")}\n`);
    out.push(`${head[1]}initial $readmemh(${JSON.stringify(file)}, ${name});`);
    i = j;
  }
  return { verilog: out.join("\n"), files };
}

const USAGE = `usage: npx tsx hdl/spec2/perf/vgg16-pe-array-synth.ts [OUT_DIR]

Writes the VGG16-scale PE array to OUT_DIR/vgg16-pe-array.v (default out/vgg16-pe-array) with its
kernel ROMs as $readmemh files, for npx tsx synth/report.ts OUT_DIR/vgg16-pe-array.v --top <printed top>.`;

function main(): void {
  const cl = parseCommandLine({ usage: USAGE, options: {}, positionals: { min: 0, max: 1 } });
  if (!cl) return;
  const dir = path.resolve(cl.positionals[0] ?? "out/vgg16-pe-array");
  mkdirSync(dir, { recursive: true });
  const d = design();
  const split = splitInitialBlocks(d.verilog, dir);
  for (const [file, text] of split.files) writeFileAtomic(file, text);
  writeFileAtomic(path.join(dir, "vgg16-pe-array.v"), split.verilog);
  process.stdout.write(`${path.join(dir, "vgg16-pe-array.v")} (top ${d.top}, ${split.files.size} ROM files)\n`);
}

if (isMain(import.meta.url)) runMain("vgg16-pe-array-synth", main);
