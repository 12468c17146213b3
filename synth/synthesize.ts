import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ElaboratedDesign } from "../hdl/core/design.js";
import { nativeYosysVersion, runYosysScript, YosysError, yosysVersion, type YosysProgress } from "./yosys.js";

export type SynthTarget = "xilinx7" | "generic";

export interface SynthOptions {
  /** Top module (default: the design's `top`, or Yosys' `hierarchy -auto-top` for plain Verilog). */
  readonly top?: string;
  /** "xilinx7" (synth_xilinx, default) or "generic" (synth + 6-input LUT mapping). */
  readonly target?: SynthTarget;
  /** Use a native `yosys` from PATH instead of @yowasp/yosys when there is one (else warn and use WebAssembly). */
  readonly native?: boolean;
  /** Stop Yosys after this many ms (default 30 min) with a YosysError. */
  readonly timeoutMs?: number;
  /** Called with a warning, e.g. native Yosys asked for but not found. */
  readonly onWarning?: (message: string) => void;
  /** Called at each new Yosys pass. */
  readonly onProgress?: (p: YosysProgress) => void;
}

/**
 * A resource report. Xilinx counts are cells of the 7-series primitives that
 * `synth_xilinx` maps to; for the generic target only `lut`, `ff` and `cells` are filled.
 */
export interface ResourceReport {
  readonly target: SynthTarget;
  readonly top: string;
  /** Total LUTs (LUT1..LUT6 and INV for xilinx7; `$lut` cells for generic). Excludes LUT RAM. */
  readonly lut: number;
  /** LUTs by input count: LUT1..LUT6 (INV cells counted as LUT1). */
  readonly lutBySize: Readonly<Record<"LUT1" | "LUT2" | "LUT3" | "LUT4" | "LUT5" | "LUT6", number>>;
  /** Flip-flops (FDRE/FDSE/FDCE/FDPE and their inverted-clock forms; `$_*DFF*` for generic). */
  readonly ff: number;
  /** Latches (LDCE/LDPE; `$_DLATCH*` for generic). */
  readonly latch: number;
  /** DSP48E1 blocks. */
  readonly dsp: number;
  /** RAMB18E1 cells. */
  readonly bram18: number;
  /** RAMB36E1 cells. */
  readonly bram36: number;
  /** Block RAM in RAMB18 units: bram18 + 2 * bram36. */
  readonly bram18Equivalent: number;
  /** LUT RAM primitives (RAM32M, RAM64M, RAM32X1D, RAM64X1D, RAM128X1D, RAM256X1S, ...), counted as cells. */
  readonly lutram: number;
  /** LUT sites taken by those LUT RAM primitives (e.g. RAM32M/RAM64M = 4, RAM64X1D = 2). */
  readonly lutramLuts: number;
  /** Shift-register LUTs (SRL16E, SRLC32E). */
  readonly srl: number;
  /** CARRY4 carry-chain cells. */
  readonly carry4: number;
  /** MUXF7 + MUXF8 cells. */
  readonly muxf: number;
  /** Every cell type with its count (IO buffers and BUFG included). */
  readonly cells: Readonly<Record<string, number>>;
  readonly yosys: string;
  /** Which Yosys ran: the native binary or the in-process WebAssembly build. */
  readonly engine: "native" | "wasm";
  readonly elapsedMs: number;
}

/** LUT sites per LUT RAM primitive (7-series). */
export const LUTRAM_SITES: Readonly<Record<string, number>> = {
  RAM16X1S: 1,
  RAM16X1D: 2,
  RAM32X1S: 1,
  RAM32X1D: 2,
  RAM32X2S: 2,
  RAM64X1S: 1,
  RAM64X1D: 2,
  RAM128X1S: 2,
  RAM128X1D: 4,
  RAM256X1S: 4,
  RAM256X1D: 8,
  RAM32M: 4,
  RAM32M16: 8,
  RAM64M: 4,
  RAM64M8: 8,
  RAM512X1S: 8,
};

const XILINX_FF = /^(FDRE|FDSE|FDCE|FDPE)(_1)?$/;
const XILINX_LATCH = /^(LDCE|LDPE)(_1)?$/;
const GENERIC_FF = /^\$_(DFF|DFFE|SDFF|SDFFE|SDFFCE|DFFSR|DFFSRE|ALDFF|ALDFFE)_/;
const GENERIC_LATCH = /^\$_DLATCH/;

function scriptFor(target: SynthTarget, top: string | undefined): string {
  const topArg = top ? `-top ${top}` : "";
  const hier = top ? `hierarchy -check -top ${top}` : "hierarchy -check -auto-top";
  const synth =
    target === "xilinx7"
      ? `synth_xilinx -family xc7 -flatten -noiopad -noclkbuf ${topArg}`
      : `synth -flatten ${topArg}; abc -lut 6; opt_clean`;
  return [`read_verilog -defer design.v`, hier, synth, `tee -q -o stat.json stat -json`, ""].join("\n");
}

interface StatJson {
  modules?: Record<string, { num_cells_by_type?: Record<string, number> }>;
  design?: { num_cells_by_type?: Record<string, number> };
}

/** Build a report from a `stat -json` document. */
export function reportFromStat(
  statJson: string,
  target: SynthTarget,
  meta: { top: string; yosys: string; engine: "native" | "wasm"; elapsedMs: number },
): ResourceReport {
  const stat = JSON.parse(statJson) as StatJson;
  let cells = stat.design?.num_cells_by_type;
  if (!cells) {
    const mods = Object.values(stat.modules ?? {});
    cells = mods.length === 1 ? mods[0]!.num_cells_by_type : undefined;
  }
  const c: Record<string, number> = { ...(cells ?? {}) };
  const count = (pred: (t: string) => boolean): number =>
    Object.entries(c)
      .filter(([t]) => pred(t))
      .reduce((s, [, n]) => s + n, 0);
  const get = (t: string): number => c[t] ?? 0;
  // An INV cell is a LUT1 once placed (Vivado maps it so): count it as one.
  const lutBySize = {
    LUT1: get("LUT1") + (target === "xilinx7" ? get("INV") : 0),
    LUT2: get("LUT2"),
    LUT3: get("LUT3"),
    LUT4: get("LUT4"),
    LUT5: get("LUT5"),
    LUT6: get("LUT6"),
  };
  const bram18 = count((t) => /^RAMB18E1$/.test(t));
  const bram36 = count((t) => /^RAMB36E1$/.test(t));
  const xilinx = target === "xilinx7";
  return {
    target,
    top: meta.top,
    lut: xilinx ? Object.values(lutBySize).reduce((a, b) => a + b, 0) : get("$lut"),
    lutBySize,
    ff: count((t) => (xilinx ? XILINX_FF : GENERIC_FF).test(t)),
    latch: count((t) => (xilinx ? XILINX_LATCH : GENERIC_LATCH).test(t)),
    dsp: count((t) => /^DSP48E1$/.test(t)),
    bram18,
    bram36,
    bram18Equivalent: bram18 + 2 * bram36,
    lutram: count((t) => t in LUTRAM_SITES),
    lutramLuts: Object.entries(c).reduce((s, [t, n]) => s + (LUTRAM_SITES[t] ?? 0) * n, 0),
    srl: count((t) => /^(SRL16E|SRLC16E|SRLC32E)$/.test(t)),
    carry4: get("CARRY4"),
    muxf: get("MUXF7") + get("MUXF8"),
    cells: c,
    yosys: meta.yosys,
    engine: meta.engine,
    elapsedMs: meta.elapsedMs,
  };
}

function isDesign(x: unknown): x is ElaboratedDesign {
  return typeof x === "object" && x !== null && typeof (x as ElaboratedDesign).verilog === "string" && typeof (x as ElaboratedDesign).top === "string";
}

/**
 * Synthesize an elaborated design (or plain Verilog source) with Yosys and
 * count the resources. Runs in-process through @yowasp/yosys unless `native`.
 */
export async function synthesize(input: ElaboratedDesign | string, opts: SynthOptions = {}): Promise<ResourceReport> {
  const target = opts.target ?? "xilinx7";
  if (target !== "xilinx7" && target !== "generic") throw new YosysError(`unknown target "${String(target)}": use xilinx7 or generic`, "");
  const verilog = isDesign(input) ? input.verilog : input;
  const top = opts.top ?? (isDesign(input) ? input.top : undefined);
  if (top !== undefined && !/^[A-Za-z_][A-Za-z0-9_$]*$/.test(top)) throw new YosysError(`top "${top}" is not a Verilog identifier`, "");
  const script = scriptFor(target, top);
  let native = opts.native === true;
  if (native && (await nativeYosysVersion()) === undefined) {
    native = false;
    opts.onWarning?.("native yosys was asked for but is not on PATH (apt-get install yosys); using @yowasp/yosys");
  }
  const runOpts = {
    native,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
  };
  const { text, files } = await bundleMemFiles(verilog, isDesign(input) ? (input.files ?? {}) : {});
  let r;
  try {
    r = await runYosysScript({ ...files, "design.v": text }, script, ["stat.json"], runOpts);
  } catch (e) {
    if (e instanceof YosysError) throw withTsLocations(e, verilog);
    throw e;
  }
  const resolvedTop = top ?? (/Top module:\s+\\?(\S+)/.exec(r.logTail)?.[1] ?? "?");
  return reportFromStat(r.files["stat.json"]!, target, {
    top: resolvedTop,
    yosys: await yosysVersion(native),
    engine: native ? "native" : "wasm",
    elapsedMs: r.elapsedMs,
  });
}

/**
 * Yosys (WebAssembly) sees only the files handed to it: bring `$readmemh`/`$readmemb`
 * data files along under local names and point the Verilog at them. The design's own data
 * files (`initAsFile`) come from `given`; other names are read from disk.
 */
async function bundleMemFiles(verilog: string, given: Readonly<Record<string, string>>): Promise<{ text: string; files: Record<string, string> }> {
  const files: Record<string, string> = {};
  const re = /(\$readmem[hb]\s*\(\s*)"([^"]+)"/g;
  const paths = [...new Set([...verilog.matchAll(re)].map((m) => m[2]!))];
  const local = new Map<string, string>();
  for (const [i, p] of paths.entries()) {
    const name = `mem${i}.hex`;
    try {
      files[name] = given[p] ?? (await readFile(resolve(p), "utf8"));
    } catch {
      throw new YosysError(`cannot read memory initialisation file "${p}" named by $readmem in the design`, "");
    }
    local.set(p, name);
  }
  const text = verilog.replace(re, (_m, pre: string, p: string) => `${pre}"${local.get(p)}"`);
  return { text, files };
}

const TS_LOC = /\/\/.*?((?:[\w@.\-]+\/)*[\w@.\-]+\.(?:[cm]?tsx?|[cm]?jsx?):\d+(?::\d+)?)/;

/** Add the TypeScript `file:line` of Verilog lines Yosys complains about. */
function withTsLocations(e: YosysError, verilog: string): YosysError {
  const lines = verilog.split("\n");
  const extra: string[] = [];
  for (const m of e.message.matchAll(/design\.v:(\d+)/g)) {
    const n = Number(m[1]);
    const loc = TS_LOC.exec(lines[n - 1] ?? "")?.[1];
    if (loc) extra.push(`  design.v:${n} (from ${loc}): ${(lines[n - 1] ?? "").trim()}`);
  }
  if (!extra.length) return e;
  return new YosysError(`${e.message}\n${[...new Set(extra)].join("\n")}`, e.log);
}

/** A short human-readable table of a report. */
export function formatReport(r: ResourceReport): string {
  const L: string[] = [];
  L.push(`Resource report for ${r.top} (${r.target}, ${r.yosys}, ${(r.elapsedMs / 1000).toFixed(1)} s)`);
  if (r.target === "xilinx7") {
    const sizes = Object.entries(r.lutBySize)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k}=${n}`)
      .join(" ");
    L.push(`  LUT       ${r.lut}${sizes ? `  (${sizes})` : ""}`);
    L.push(`  FF        ${r.ff}`);
    if (r.latch) L.push(`  latch     ${r.latch}`);
    L.push(`  DSP48E1   ${r.dsp}`);
    L.push(`  RAMB18E1  ${r.bram18}`);
    L.push(`  RAMB36E1  ${r.bram36}`);
    L.push(`  LUT RAM   ${r.lutram} cells (${r.lutramLuts} LUTs)`);
    L.push(`  SRL       ${r.srl}`);
    L.push(`  CARRY4    ${r.carry4}`);
    L.push(`  MUXF7/8   ${r.muxf}`);
  } else {
    L.push(`  LUT6-mapped  ${r.lut}`);
    L.push(`  FF           ${r.ff}`);
    if (r.latch) L.push(`  latch        ${r.latch}`);
  }
  L.push(`  cells: ${Object.entries(r.cells)
    .map(([k, n]) => `${k}=${n}`)
    .join(" ")}`);
  return L.join("\n");
}
