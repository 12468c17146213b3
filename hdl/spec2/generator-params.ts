/**
 * Parameter checks of the spec2 generators: one HdlError at the site that instantiated the
 * generator (`file:line: Generator: what is wrong: how to fix`), listing every failed requirement.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { HdlError, type SourceLoc } from "../core";

/** A requirement on the parameters: holds, and the message (what is wrong: how to fix) if not. */
export type Requirement = readonly [holds: boolean, message: string];

const FRAME = /^\s*at (?:.*?\()?(.*?):(\d+):(\d+)\)?$/;
const HERE = fileURLToPath(import.meta.url);
const CORE_DIR = path.join(path.dirname(HERE), "..", "core") + path.sep;

interface Frame {
  readonly loc: SourceLoc;
  readonly core: boolean;
}

function frames(): Frame[] {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = saved;
  const out: Frame[] = [];
  for (const line of stack.split("\n").slice(1)) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const file = m[1]!.startsWith("file://") ? fileURLToPath(m[1]!) : m[1]!;
    if (file === HERE || file.startsWith("node:") || file.includes("/node_modules/")) continue;
    out.push({ loc: { file, line: Number(m[2]), column: Number(m[3]) }, core: file.startsWith(CORE_DIR) });
  }
  return out;
}

/**
 * The instantiation site: the stack is the generator body (and any function it called), then the
 * language's instance/elaborate machinery, then the caller. Falls back to the generator's own line.
 */
function instantiationSite(): SourceLoc | undefined {
  const fs = frames();
  const firstCore = fs.findIndex((f) => f.core);
  const site = firstCore < 0 ? undefined : fs.slice(firstCore).find((f) => !f.core);
  return site?.loc ?? fs[0]?.loc;
}

/** Throws one HdlError naming `generator` and every requirement that does not hold. */
export function checkParams(generator: string, requirements: readonly Requirement[]): void {
  const failed = requirements.filter(([holds]) => !holds).map(([, message]) => message);
  if (failed.length === 0) return;
  const loc = instantiationSite() ?? { file: "<unknown>", line: 0, column: 0 };
  throw new HdlError(loc, `${generator}: ${failed.join("; ")}`);
}

/** True if `v` is an integer in lo..hi. */
export function isIntIn(v: number, lo: number, hi: number): boolean {
  return Number.isInteger(v) && v >= lo && v <= hi;
}
