/**
 * Resources of the VGG16 engine (`top.ts --config vgg16`) from Yosys synth_xilinx (native):
 *
 *   1. the whole Engine at a reduced PE grid (default 4 x 4), synthesised whole (flattened);
 *      flattening trims a near-constant 1,800-1,900 LUT sites across the block boundaries, so
 *      at 2 x 2, where the blocks outside the PE array dominate, the composition is 5.9% over
 *      the whole, at 4 x 4 4.8%;
 *   2. the same Verilog's blocks (every module instantiated in Engine and EngineCore) each
 *      synthesised on its own, and the shell (Engine and EngineCore's own logic: the command
 *      list, the phase control, the read-port multiplexer, the pacing) with the blocks as black
 *      boxes, summed with their instance counts: the composition, checked against (1);
 *   3. the full configuration (default the configuration's grid) composed from its blocks: the
 *      blocks whose module differs from the reduced build's (those that depend on the PE grid)
 *      synthesised from the full build's Verilog, the others taken from (2); against the
 *      XC7VX690T budget.
 *
 *   npx tsx bench/engine-synth.ts [--pes OxI] [--full OxI] [--timeout S] [--json] [--write]
 *
 * Each synthesis is cached in .cache/engine-synth/ by a digest of its Verilog, so an
 * interrupted run resumes; --write writes bench/results/engine-synth.json (atomically).
 * Progress on stderr.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { elaborate, isMain } from "../hdl/core";
import { integerOption, parseCommandLine, runMain, stringOption } from "../hdl/core/cli";
import { Engine } from "../hdl/spec2/engine/engine";
import { findEngineConfig } from "../hdl/spec2/engine/configs";
import { parsePeGrid } from "../hdl/spec2/pe-grid-option";
import { XC7VX690T, add, fits, scale, usageOf, type Usage } from "../hdl/spec2/perf/resources";
import { synthesize, type ResourceReport } from "../synth";
import { instancesIn, moduleBodies, moduleClosure, shellOf } from "./lib/verilog-modules";

type PeGrid = ReturnType<typeof parsePeGrid>;

const USAGE = `usage: npx tsx bench/engine-synth.ts [options]

The VGG16 engine's resources (native Yosys synth_xilinx, xc7): the whole engine at a reduced PE
grid synthesised whole, its blocks synthesised one by one and summed (the composition, checked
against the whole), and the full configuration composed from its blocks, against the XC7VX690T.

  --pes OxI      the reduced grid synthesised whole (default 4x4)
  --full OxI     the full configuration's grid (default the configuration's, 16x8)
  --timeout S    seconds per Yosys run (default 7200)
  --json         the result as JSON on stdout
  --write        also write bench/results/engine-synth.json
  -h, --help     this text`;

const CACHE = join(".cache", "engine-synth");
const RESULT = join("bench", "results", "engine-synth.json");

interface Block {
  readonly module: string;
  readonly count: number;
  readonly usage: Usage;
  readonly seconds: number;
}

/** One synthesis of `top` in `text` (Verilog holding top and what it instantiates), cached by the text. */
async function synth(text: string, top: string, timeoutMs: number): Promise<{ usage: Usage; seconds: number; report: ResourceReport }> {
  const key = createHash("sha256").update(`${top}\n${text}`).digest("hex").slice(0, 16);
  const file = join(CACHE, `${top.slice(0, 80)}-${key}.json`);
  if (existsSync(file)) {
    const report = JSON.parse(readFileSync(file, "utf8")) as ResourceReport;
    return { usage: usageOf(report), seconds: report.elapsedMs / 1000, report };
  }
  process.stderr.write(`engine-synth: ${top} ...\n`);
  const report = await synthesize(text, { top, native: true, timeoutMs, onWarning: (m) => process.stderr.write(`engine-synth: ${m}\n`) });
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(report));
  renameSync(`${file}.tmp`, file);
  process.stderr.write(`engine-synth: ${top}: ${report.lut} LUT, ${report.ff} FF, ${report.dsp} DSP, ${report.bram36 + report.bram18 / 2} RAMB36 (${Math.round(report.elapsedMs / 1000)} s)\n`);
  return { usage: usageOf(report), seconds: report.elapsedMs / 1000, report };
}

/** The blocks' usage times their instance counts, summed. */
const composition = (blocks: readonly Block[]): Usage => add(...blocks.map((b) => scale(b.usage, b.count)));

/**
 * The engine at a grid: its top, the blocks (the modules Engine and EngineCore
 * instantiate, with counts), `textOf` (a module with what it instantiates) and the shell.
 */
function engineAt(grid: PeGrid): { top: string; blocks: Map<string, number>; textOf: (m: string) => string; shell: string } {
  const d = elaborate(Engine, findEngineConfig("vgg16")!.params(grid));
  const bodies = moduleBodies(d.verilog);
  const core = [...bodies.keys()].find((m) => m.startsWith("EngineCore_"));
  if (!core) throw new Error("engine-synth: no EngineCore module in the engine's Verilog");
  const blocks = new Map<string, number>();
  for (const parent of [d.top, core])
    for (const [m, n] of instancesIn(bodies, parent)) if (m !== core) blocks.set(m, (blocks.get(m) ?? 0) + n);
  const textOf = (m: string): string => moduleClosure(bodies, m).map((c) => bodies.get(c)!).join("\n");
  return { top: d.top, blocks, textOf, shell: shellOf(bodies, [d.top, core]) };
}

const SHELL = "(shell: Engine and EngineCore without their blocks)";

async function main(): Promise<void> {
  const cl = parseCommandLine({ usage: USAGE, options: { pes: { type: "string" }, full: { type: "string" }, timeout: { type: "string" }, json: { type: "boolean" }, write: { type: "boolean" } } });
  if (!cl) return;
  const reduced = parsePeGrid(stringOption(cl, "pes") ?? "4x4");
  const fullText = stringOption(cl, "full");
  const configured = findEngineConfig("vgg16")!.params({}).core;
  const full = fullText === undefined ? { pOut: configured.pOut, pIn: configured.pIn } : parsePeGrid(fullText);
  const timeoutMs = 1000 * integerOption(cl, "timeout", { min: 10 }, 7200);

  const small = engineAt(reduced);
  const whole = await synth(small.textOf(small.top), small.top, timeoutMs);
  const smallShell = await synth(small.shell, small.top, timeoutMs);
  const smallBlocks: Block[] = [{ module: SHELL, count: 1, usage: smallShell.usage, seconds: smallShell.seconds }];
  for (const [m, count] of small.blocks) {
    const r = await synth(small.textOf(m), m, timeoutMs);
    smallBlocks.push({ module: m, count, usage: r.usage, seconds: r.seconds });
  }
  const composed = composition(smallBlocks);
  const error = (k: keyof Usage): number => (whole.usage[k] === 0 ? 0 : (composed[k] - whole.usage[k]) / whole.usage[k]);

  const big = engineAt(full);
  const bigShell = await synth(big.shell, big.top, timeoutMs);
  const fullBlocks: Block[] = [{ module: SHELL, count: 1, usage: bigShell.usage, seconds: bigShell.seconds }];
  for (const [m, count] of big.blocks) {
    const known = smallBlocks.find((b) => b.module === m);
    const r = known ?? (await synth(big.textOf(m), m, timeoutMs));
    fullBlocks.push({ module: m, count, usage: r.usage, seconds: r.seconds });
  }
  const fullUsage = composition(fullBlocks);
  const budget = XC7VX690T;
  const result = {
    yosys: whole.report.yosys,
    reduced: { pes: reduced, top: small.top, whole: whole.usage, wholeSeconds: whole.seconds, composed, blocks: smallBlocks, compositionError: { lut: error("lut"), ff: error("ff"), dsp: error("dsp"), bram36: error("bram36") } },
    full: { pes: full, top: big.top, composed: fullUsage, blocks: fullBlocks },
    budget: { device: "XC7VX690T", lutSites: budget.lut, ff: budget.ff, dsp: budget.dsp, bram36: budget.bram36 },
    resources: { lutSites: Math.round(fullUsage.lut), ff: Math.round(fullUsage.ff), dsp: Math.round(fullUsage.dsp), bram36: fullUsage.bram36 },
    fits: fits(fullUsage, budget),
  };
  if (cl.values.write) {
    writeFileSync(`${RESULT}.tmp`, `${JSON.stringify(result, null, 1)}\n`);
    renameSync(`${RESULT}.tmp`, RESULT);
  }
  if (cl.values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    return;
  }
  const f = (u: Usage): string => `${Math.round(u.lut)} LUT sites, ${Math.round(u.ff)} FF, ${Math.round(u.dsp)} DSP48E1, ${u.bram36} RAMB36`;
  const pct = (x: number): string => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}%`;
  const lines = [
    `The VGG16 engine (${result.yosys}, synth_xilinx xc7):`,
    `whole at ${reduced.pOut} x ${reduced.pIn} PEs: ${f(whole.usage)} (${Math.round(whole.seconds)} s)`,
    `its ${smallBlocks.length} blocks summed: ${f(composed)}; composition vs whole: LUT ${pct(result.reduced.compositionError.lut)}, FF ${pct(result.reduced.compositionError.ff)}, DSP ${pct(result.reduced.compositionError.dsp)}, RAMB36 ${pct(result.reduced.compositionError.bram36)}`,
    ...fullBlocks.map((b) => `  ${b.module} x ${b.count}: ${f(b.usage)}`),
    `full at ${full.pOut} x ${full.pIn} PEs, composed: ${f(fullUsage)}; XC7VX690T: ${budget.lut} LUT sites, ${budget.ff} FF, ${budget.dsp} DSP48E1, ${budget.bram36} RAMB36: ${result.fits ? "fits" : "does not fit"}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (isMain(import.meta.url)) runMain("engine-synth", main);
