/**
 * Running the simulators' command-line tools (iverilog, verilator, make) to completion. A missing
 * executable is a SimToolMissingError with the install hint; a time limit kills the process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { SimToolMissingError } from "./errors.js";
import { track } from "./processes.js";

export interface RunResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runTool(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; installHint: string; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    // A group of its own, so that ending it (a time limit, an interrupted build) ends its compilers too.
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    track(child, true);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            stderr += `\n(killed after ${opts.timeoutMs} ms)`;
            killGroup(child);
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

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
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
