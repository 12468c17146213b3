/**
 * Source locations of user code. Every IR node records where the user's
 * TypeScript created it: the first stack frame outside `hdl/core`.
 */
import { fileURLToPath } from "node:url";
import * as fs from "node:fs";
import * as path from "node:path";

export interface SourceLoc {
  /** Absolute path of the user's source file. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column of the call (as V8 reports it: the callee's name). */
  readonly column: number;
}

const CORE_DIR = path.dirname(fileURLToPath(import.meta.url)) + path.sep;
const FRAME = /^\s*at (?:.*?\()?(.*?):(\d+):(\d+)\)?$/;
const UNKNOWN: SourceLoc = { file: "<unknown>", line: 0, column: 0 };

function isLibraryFrame(file: string): boolean {
  return file.startsWith(CORE_DIR) || file.startsWith("node:") || file.includes("/node_modules/");
}

function toPath(file: string): string {
  return file.startsWith("file://") ? fileURLToPath(file) : file;
}

function firstUserFrame(depth: number): SourceLoc | undefined {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = depth;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = saved;
  for (const frame of stack.split("\n").slice(1)) {
    const m = FRAME.exec(frame);
    if (!m) continue;
    const file = toPath(m[1]!);
    if (isLibraryFrame(file)) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/** The first stack frame that belongs to user code (not to `hdl/core`, Node or a dependency). */
export function userLocation(): SourceLoc {
  // Source-mapping each frame is the cost: look at a few frames first, more only if needed.
  return firstUserFrame(8) ?? firstUserFrame(64) ?? UNKNOWN;
}

const roots = new Map<string, string>();

/** The nearest directory above `file` holding a package.json (so paths do not depend on the working directory). */
function projectRoot(file: string): string {
  const dir = path.dirname(file);
  let root = roots.get(dir);
  if (root === undefined) {
    root = dir;
    for (let d = dir; ; d = path.dirname(d)) {
      if (fs.existsSync(path.join(d, "package.json"))) {
        root = d;
        break;
      }
      if (path.dirname(d) === d) break;
    }
    roots.set(dir, root);
  }
  return root;
}

/** `file:line`, the file relative to its project root, as printed in messages and Verilog comments. */
export function formatLoc(loc: SourceLoc): string {
  if (loc.line === 0) return loc.file;
  const rel = path.relative(projectRoot(loc.file), loc.file);
  return `${rel.split(path.sep).join("/")}:${loc.line}`;
}
