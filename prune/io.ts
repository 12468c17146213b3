/** Atomic file/directory writes, an up-front writability check, and stderr progress bars. */
import { existsSync, mkdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { CliError } from "../hdl/core/cli";

/** Writes to `path.tmp-<pid>` and renames over `path`, so readers never see a partial file. */
export function writeFileAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Replaces directory `dir` by a freshly written one: `fill(tmpDir)` writes everything into a
 * temporary sibling directory, which is then swapped in with renames. If a previous swap was
 * interrupted between its two renames, `dir.old` is restored first.
 */
export function replaceDirAtomic(dir: string, fill: (tmpDir: string) => void): void {
  const old = `${dir}.old`;
  if (!existsSync(dir) && existsSync(old)) renameSync(old, dir);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  fill(tmp);
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}

/**
 * Checks, before any work, that directory `dir` can be (re)placed the way replaceDirAtomic and
 * writeFileAtomic do it: its parent can be created and a sibling can be made there. `what`
 * names the option in the message, e.g. "--out weights/x: cannot create weights (ENOTDIR)".
 */
export function checkWritableDir(dir: string, what: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new CliError(`${what} ${dir}: exists and is not a directory`);
  const parent = dirname(dir);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (e) {
    throw new CliError(`${what} ${dir}: cannot create the parent directory ${parent} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const probe = `${dir}.probe-${process.pid}`;
  try {
    mkdirSync(probe);
    rmdirSync(probe);
  } catch (e) {
    throw new CliError(`${what} ${dir}: cannot write in ${parent} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** A one-line progress bar on stderr (redrawn in place on a TTY, every 10% otherwise). */
export class Progress {
  private last = -1;
  private readonly start = Date.now();
  private readonly tty = process.stderr.isTTY === true;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly quiet = false,
  ) {}
  update(done: number, info = ""): void {
    if (this.quiet) return;
    const frac = this.total ? done / this.total : 1;
    const step = this.tty ? Math.floor(frac * 200) : Math.floor(frac * 10);
    if (step === this.last && done !== this.total) return;
    this.last = step;
    const width = 30;
    const filled = Math.round(frac * width);
    const el = (Date.now() - this.start) / 1000;
    const eta = frac > 0 ? (el / frac - el).toFixed(0) : "?";
    const line = `${this.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${this.total} ${el.toFixed(0)}s eta ${eta}s ${info}`;
    if (this.tty) process.stderr.write(`\r${line}\x1b[K`);
    else process.stderr.write(`${line}\n`);
  }
  done(info = ""): void {
    if (this.quiet) return;
    this.last = -1;
    this.update(this.total, info);
    if (this.tty) process.stderr.write("\n");
  }
}

export function log(quiet: boolean, msg: string): void {
  if (!quiet) process.stderr.write(`${msg}\n`);
}
