/**
 * Source locations of user code. Every IR node records where the user's code created it: the
 * first stack frame outside the language's own files (this folder, wherever it is installed),
 * Node's internals and native code. Designs published as npm packages are user code too.
 * One call site always gives the same SourceLoc object, so callers may cache by identity.
 */
import { fileURLToPath } from "node:url";
import { findSourceMap } from "node:module";
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

/** The language's own files, as a path prefix and as a file URL prefix (frames use either form). */
const CORE_URL = new URL(".", import.meta.url).href;
const CORE_DIR = fileURLToPath(CORE_URL);
const FRAME = /^\s*at (?:.*?\()?(.*?):(\d+):(\d+)\)?$/;
const UNKNOWN: SourceLoc = { file: "<unknown>", line: 0, column: 0 };

function isLibraryFile(file: string | undefined | null): boolean {
  return !file || file.startsWith(CORE_URL) || file.startsWith(CORE_DIR) || file.startsWith("node:");
}

function toPath(file: string): string {
  return file.startsWith("file://") ? fileURLToPath(file) : file;
}

type StackFormatter = (error: Error, sites: NodeJS.CallSite[]) => unknown;
const rawSites: StackFormatter = (_error, sites) => sites;

/** The raw call sites above `above` (a function on the stack), up to `limit` frames; nothing is formatted or source-mapped. */
function callSites(limit: number, above: (...args: never[]) => unknown): { sites: NodeJS.CallSite[]; formatter: StackFormatter | undefined } {
  const savedLimit = Error.stackTraceLimit;
  const formatter = Error.prepareStackTrace as StackFormatter | undefined;
  Error.stackTraceLimit = limit;
  Error.prepareStackTrace = rawSites;
  const holder: { stack?: unknown } = {};
  try {
    Error.captureStackTrace(holder, above);
    const sites = holder.stack;
    return { sites: Array.isArray(sites) ? (sites as NodeJS.CallSite[]) : [], formatter };
  } finally {
    (Error as { prepareStackTrace?: StackFormatter }).prepareStackTrace = formatter;
    Error.stackTraceLimit = savedLimit;
  }
}

/** Mapped locations by generated position: a design calls the same few sites many times. */
const mapped = new Map<string, SourceLoc>();

/**
 * The user's position of one call site. The stack formatter in force (tsx's or Vite's, which
 * apply source maps) maps it when there is one; else Node's source maps; else the raw position.
 */
function locate(site: NodeJS.CallSite, file: string, formatter: StackFormatter | undefined): SourceLoc {
  const line = site.getLineNumber() ?? 0;
  const column = site.getColumnNumber() ?? 0;
  const key = `${file}\0${line}\0${column}`;
  let loc = mapped.get(key);
  if (loc === undefined) {
    loc = viaFormatter(site, formatter) ?? viaSourceMap(file, line, column) ?? { file: toPath(file), line, column };
    mapped.set(key, loc);
  }
  return loc;
}

function viaFormatter(site: NodeJS.CallSite, formatter: StackFormatter | undefined): SourceLoc | undefined {
  if (formatter === undefined) return undefined;
  const text = formatter(new Error(), [site]);
  const lines = typeof text === "string" ? text.split("\n") : [];
  const m = FRAME.exec(lines[lines.length - 1] ?? "");
  return m ? { file: toPath(m[1]!), line: Number(m[2]), column: Number(m[3]) } : undefined;
}

function viaSourceMap(file: string, line: number, column: number): SourceLoc | undefined {
  const entry = findSourceMap(file)?.findEntry(line - 1, column - 1);
  if (!entry || !("originalSource" in entry)) return undefined;
  return { file: toPath(entry.originalSource), line: entry.originalLine + 1, column: entry.originalColumn + 1 };
}

/** The first user frame; with `skipFirstFile`, the first one in another file than the first user frame's. */
function firstUserFrame(limit: number, skipFirstFile = false): SourceLoc | undefined {
  const { sites, formatter } = callSites(limit, skipFirstFile ? callerLocation : userLocation);
  let skip: string | undefined;
  for (const site of sites) {
    const file = site.getFileName() ?? site.getScriptNameOrSourceURL();
    if (isLibraryFile(file)) continue;
    if (skipFirstFile) {
      if (skip === undefined) skip = file!;
      if (file === skip) continue;
    }
    return locate(site, file!, formatter);
  }
  return undefined;
}

/** The first stack frame that belongs to user code (not to `hdl/core`, Node or native code). */
export function userLocation(): SourceLoc {
  // Library call chains are short: look at a few frames first, the whole stack only if needed.
  return firstUserFrame(5) ?? firstUserFrame(Infinity) ?? UNKNOWN;
}

/**
 * The line that called a function of a hardware library built on the language (such as
 * hdl/lib): the first user frame outside the file of the function that asks.
 */
export function callerLocation(): SourceLoc {
  return firstUserFrame(8, true) ?? firstUserFrame(Infinity, true) ?? userLocation();
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

const formatted = new WeakMap<SourceLoc, string>();

/** `file:line`, the file relative to its project root, as printed in messages and Verilog comments. */
export function formatLoc(loc: SourceLoc): string {
  if (loc.line === 0) return loc.file;
  let text = formatted.get(loc);
  if (text === undefined) {
    const rel = path.relative(projectRoot(loc.file), loc.file);
    text = `${rel.split(path.sep).join("/")}:${loc.line}`;
    formatted.set(loc, text);
  }
  return text;
}
