import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { SimToolMissingError, type SourceHint } from "./errors.js";

export interface RunResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run a tool to completion, capturing its output. A missing executable raises
 * SimToolMissingError with the install hint; a timeout kills the process.
 */
export function runTool(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; installHint: string; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            stderr += `\n(killed after ${opts.timeoutMs} ms)`;
            child.kill("SIGKILL");
          }, opts.timeoutMs)
        : undefined;
    child.on("error", (err: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      if (err.code === "ENOENT") reject(new SimToolMissingError(cmd, opts.installHint));
      else reject(err);
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

const versions = new Map<string, Promise<string>>();

/** `<tool> --version` output (memoised per PATH); raises SimToolMissingError if absent. */
export function toolVersion(cmd: string, versionArg: string, installHint: string): Promise<string> {
  const key = `${cmd}\0${process.env.PATH ?? ""}`;
  let v = versions.get(key);
  if (!v) {
    v = runTool(cmd, [versionArg], { installHint, timeoutMs: 20_000 }).then((r) => (r.stdout + r.stderr).trim());
    versions.set(key, v);
    v.catch(() => versions.delete(key));
  }
  return v;
}

export function sha256(...parts: readonly string[]): string {
  const h = createHash("sha256");
  for (const p of parts) {
    h.update(String(p.length));
    h.update(":");
    h.update(p);
  }
  return h.digest("hex");
}

/** Root of the build cache: `$SIM_CACHE_DIR`, else `.cache/` under the current directory. */
export function cacheRoot(): string {
  return resolve(process.env.SIM_CACHE_DIR ?? join(process.cwd(), ".cache"));
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Build into a private temporary directory and move it to `finalDir` atomically,
 * so concurrent test workers never see a half-built entry. If another worker won
 * the race, its entry is kept and ours discarded.
 */
export async function buildAtomically(finalDir: string, build: (tmpDir: string) => Promise<void>): Promise<void> {
  const tmp = `${finalDir}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  await mkdir(tmp, { recursive: true });
  try {
    await build(tmp);
    try {
      await rename(tmp, finalDir);
    } catch (e) {
      if (!(await exists(finalDir))) throw e;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

const TS_LOC = /\/\/.*?((?:[\w@.\-]+\/)*[\w@.\-]+\.(?:[cm]?tsx?|[cm]?jsx?):\d+(?::\d+)?)/;

/** The `file:line` from a `// file:line` comment on a Verilog line, if any. */
export function tsLocationOf(line: string): string | undefined {
  return TS_LOC.exec(line)?.[1];
}

/**
 * Map the line numbers a tool reported for `fileName` back to design lines,
 * with the TypeScript location from their `// file:line` comment where present.
 * The nearest preceding line with a location is used when the line itself has none.
 */
export function sourceHints(toolOutput: string, fileName: string, verilog: string): SourceHint[] {
  const lines = verilog.split("\n");
  const esc = fileName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`(?:^|[\\s/])${esc}:(\\d+)`, "g");
  const seen = new Set<number>();
  const hints: SourceHint[] = [];
  for (const m of toolOutput.matchAll(re)) {
    const n = Number(m[1]);
    if (seen.has(n) || n < 1 || n > lines.length) continue;
    seen.add(n);
    const text = lines[n - 1] ?? "";
    let ts = tsLocationOf(text);
    for (let k = n - 2; ts === undefined && k >= 0 && k >= n - 6; k--) {
      const prev = lines[k] ?? "";
      if (/^\s*\/\//.test(prev)) ts = tsLocationOf(prev);
      else break;
    }
    hints.push(ts === undefined ? { verilogLine: n, verilogText: text } : { verilogLine: n, verilogText: text, tsLocation: ts });
    if (hints.length >= 10) break;
  }
  return hints;
}

/** Entries kept per cache directory (`.cache/iverilog`, `.cache/verilator`); the least recently used go first. */
export const CACHE_ENTRIES = 400;

/** Mark a cache entry as used now (for eviction order). */
export async function touch(dir: string): Promise<void> {
  const now = new Date();
  await utimes(dir, now, now).catch(() => undefined);
}

/** Delete the least recently used entries beyond `keep` in the parent of `entryDir`. */
export async function evictOld(entryDir: string, keep = CACHE_ENTRIES): Promise<void> {
  const parent = dirname(entryDir);
  try {
    const names = (await readdir(parent)).filter((n) => /^[0-9a-f]{64}$/.test(n));
    if (names.length <= keep) return;
    const withTime = await Promise.all(
      names.map(async (n) => ({ n, t: await stat(join(parent, n)).then((st) => st.mtimeMs, () => 0) })),
    );
    withTime.sort((a, b) => a.t - b.t);
    for (const { n } of withTime.slice(0, withTime.length - keep)) await rm(join(parent, n), { recursive: true, force: true });
  } catch {
    /* eviction is best effort */
  }
}
