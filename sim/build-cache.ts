/**
 * The build cache of compiled simulators: content-addressed entries under
 * `$SIM_CACHE_DIR`, else `node_modules/.cache/spec2-hdl/` of the project the program runs in
 * (the nearest package.json above the working directory), else the system's temporary
 * directory. Entries are built in a private directory and renamed into place; build
 * directories of processes that died (or were interrupted) are removed, never left behind.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { mkdir, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { onProcessEnd } from "./exit-hooks.js";

/** Folder name of this package's caches inside `node_modules/.cache`. */
export const CACHE_NAME = "spec2-hdl";

export function sha256(...parts: readonly string[]): string {
  const h = createHash("sha256");
  for (const p of parts) {
    h.update(String(p.length));
    h.update(":");
    h.update(p);
  }
  return h.digest("hex");
}

/** The cache root: `$SIM_CACHE_DIR`, else the project's `node_modules/.cache/spec2-hdl`, else a temporary directory. */
export function cacheRoot(): string {
  const env = process.env.SIM_CACHE_DIR;
  if (env !== undefined && env !== "") return resolve(env);
  for (let d = process.cwd(); ; d = dirname(d)) {
    if (existsSync(join(d, "package.json"))) {
      const modules = join(d, "node_modules");
      if (existsSync(modules)) return join(modules, ".cache", CACHE_NAME);
      break;
    }
    if (dirname(d) === d) break;
  }
  return join(tmpdir(), `${CACHE_NAME}-cache`);
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Build directories of this process still in progress: removed if the process exits or is interrupted. */
const building = new Set<string>();
let hooked = false;

function removeBuilding(): void {
  for (const dir of building) rmSync(dir, { recursive: true, force: true });
  building.clear();
}

const TMP = /\.tmp-(\d+)-[a-z0-9]+$/;

/** True while the process `pid` exists (on this machine). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes build directories in `parent` left by processes that no longer run (killed mid-build). */
export function sweepStale(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const n of names) {
    const m = TMP.exec(n);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    rmSync(join(parent, n), { recursive: true, force: true });
  }
}

/**
 * Build into a private temporary directory and move it to `finalDir` atomically,
 * so concurrent test workers never see a half-built entry. If another worker won
 * the race, its entry is kept and ours discarded.
 */
export async function buildAtomically(finalDir: string, build: (tmpDir: string) => Promise<void>): Promise<void> {
  if (!hooked) {
    hooked = true;
    onProcessEnd(removeBuilding);
  }
  sweepStale(dirname(finalDir));
  const tmp = `${finalDir}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  building.add(tmp);
  try {
    await mkdir(tmp, { recursive: true });
    await build(tmp);
    try {
      await rename(tmp, finalDir);
    } catch (e) {
      if (!(await exists(finalDir))) throw e;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
    building.delete(tmp);
  }
}

/** Entries kept per cache directory (`iverilog/`, `verilator/`); the least recently used go first. */
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
