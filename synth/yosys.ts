import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/** Progress of a running Yosys: the current pass and the elapsed time. */
export interface YosysProgress {
  /** Current (sub)pass, e.g. "2.11.3 OPT_MUXTREE". */
  readonly pass: string;
  readonly elapsedMs: number;
}

export interface YosysRunOptions {
  /** Use a native `yosys` from PATH instead of the WebAssembly build. */
  readonly native?: boolean;
  /** Called when Yosys starts a new pass. */
  readonly onProgress?: (p: YosysProgress) => void;
  /** Wall-time limit (ms, default 30 min); Yosys is stopped when it runs longer. */
  readonly timeoutMs?: number;
}

export interface YosysRunResult {
  /** Contents of the requested output files. */
  readonly files: Readonly<Record<string, string>>;
  /** The last lines of the log. */
  readonly logTail: string;
  readonly elapsedMs: number;
  readonly engine: "wasm" | "native";
}

/** Yosys exited with an error. */
export class YosysError extends Error {
  override name = "YosysError";
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(message);
  }
}

const PASS_LINE = /^(\d+(?:\.\d+)*)\.\s+Executing\s+(\S+)/;

/** Splits a byte stream into lines, keeps the tail of the log, reports passes. */
class LogWatcher {
  private partial = "";
  private readonly tail: string[] = [];
  private readonly decoder = new TextDecoder();
  private readonly start = Date.now();
  private pass = "starting";
  constructor(private readonly onProgress: ((p: YosysProgress) => void) | undefined) {}
  /** Report the current pass again with the elapsed time (for a ticking display). */
  tick(): void {
    this.onProgress?.({ pass: this.pass, elapsedMs: Date.now() - this.start });
  }
  push(chunk: Uint8Array | string): void {
    const text = this.partial + (typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true }));
    const lines = text.split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) this.line(line);
  }
  private line(line: string): void {
    this.tail.push(line);
    if (this.tail.length > 400) this.tail.splice(0, 200);
    const m = PASS_LINE.exec(line);
    if (m) {
      this.pass = `${m[1]} ${m[2]}`;
      this.onProgress?.({ pass: this.pass, elapsedMs: Date.now() - this.start });
    }
  }
  text(): string {
    return [...this.tail, this.partial].join("\n");
  }
}

function errorLines(log: string): string {
  const lines = log.split("\n");
  const errs = lines.filter((l) => /ERROR|error:/i.test(l));
  return (errs.length ? errs : lines.slice(-15)).join("\n").trim();
}

/**
 * Run a Yosys script on in-memory input files and return chosen output files.
 * The WebAssembly build (@yowasp/yosys) runs in-process; `native: true` runs `yosys` from PATH.
 */
export async function runYosysScript(
  inputs: Readonly<Record<string, string>>,
  script: string,
  outputs: readonly string[],
  opts: YosysRunOptions = {},
): Promise<YosysRunResult> {
  const watcher = new LogWatcher(opts.onProgress);
  const t0 = Date.now();
  if (opts.native) {
    const dir = await mkdtemp(join(tmpdir(), "synth-"));
    try {
      for (const [name, text] of Object.entries(inputs)) await writeFile(join(dir, name), text);
      await writeFile(join(dir, "script.ys"), script);
      const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
      let timedOut = false;
      const code = await new Promise<number | null>((resolve, reject) => {
        // A group of its own, so the time limit stops everything it started (ABC, a wrapper's children).
        const child = spawn("yosys", ["-s", "script.ys"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], detached: true });
        child.stdout.on("data", (d: Buffer) => watcher.push(d.toString("utf8")));
        child.stderr.on("data", (d: Buffer) => watcher.push(d.toString("utf8")));
        const timer = setTimeout(() => {
          timedOut = true;
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            child.kill("SIGKILL");
          }
        }, timeoutMs);
        child.on("error", (e: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          reject(
            e.code === "ENOENT"
              ? new YosysError("native yosys was not found on PATH (install it, e.g. `apt-get install yosys`, or drop --native to use @yowasp/yosys)", "")
              : e,
          );
        });
        child.on("close", (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      const log = watcher.text();
      if (timedOut) throw new YosysError(`yosys timed out after ${timeoutMs} ms and was stopped`, log);
      if (code !== 0) throw new YosysError(`yosys failed (exit ${code}):\n${errorLines(log)}`, log);
      const files: Record<string, string> = {};
      for (const o of outputs) files[o] = await readFile(join(dir, o), "utf8");
      return { files, logTail: log, elapsedMs: Date.now() - t0, engine: "native" };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return runInWorker(inputs, script, outputs, watcher, t0, opts.timeoutMs ?? 30 * 60_000);
}

/**
 * The WebAssembly Yosys runs in a worker thread: the event loop stays free (progress
 * keeps ticking through long silent passes such as ABC) and a time limit can stop it.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { runYosys } = await import(workerData.url);
  const send = (b) => { if (b) parentPort.postMessage({ out: b }); };
  try {
    const tree = await runYosys(workerData.args, workerData.files, { stdout: send, stderr: send });
    const files = {};
    for (const o of workerData.outputs) {
      const f = tree && tree[o];
      files[o] = typeof f === "string" ? f : f instanceof Uint8Array ? new TextDecoder().decode(f) : null;
    }
    parentPort.postMessage({ done: files });
  } catch (e) {
    parentPort.postMessage({ error: String((e && e.message) || e), code: e && e.code !== undefined ? String(e.code) : "?" });
  }
})();
`;

function runInWorker(
  inputs: Readonly<Record<string, string>>,
  script: string,
  outputs: readonly string[],
  watcher: LogWatcher,
  t0: number,
  timeoutMs: number,
): Promise<YosysRunResult> {
  const url = pathToFileURL(createRequire(import.meta.url).resolve("@yowasp/yosys")).href;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { url, args: ["-s", "script.ys"], files: { ...inputs, "script.ys": script }, outputs: [...outputs] },
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearInterval(ticker);
      clearTimeout(timer);
      void worker.terminate();
      f();
    };
    const ticker = setInterval(() => watcher.tick(), 250);
    const timer = setTimeout(
      () => finish(() => reject(new YosysError(`yosys timed out after ${timeoutMs} ms and was stopped`, watcher.text()))),
      timeoutMs,
    );
    worker.on("message", (m: { out?: Uint8Array; done?: Record<string, string | null>; error?: string; code?: string }) => {
      if (m.out) watcher.push(m.out);
      else if (m.done) {
        const done = m.done;
        finish(() => {
          const files: Record<string, string> = {};
          for (const o of outputs) {
            const f = done[o];
            if (typeof f !== "string") return reject(new YosysError(`yosys did not write ${o}`, watcher.text()));
            files[o] = f;
          }
          resolve({ files, logTail: watcher.text(), elapsedMs: Date.now() - t0, engine: "wasm" });
        });
      } else if (m.error !== undefined) {
        const log = watcher.text();
        finish(() => reject(new YosysError(`yosys failed (exit ${m.code ?? "?"}):\n${errorLines(log)}`, log)));
      }
    });
    worker.on("error", (e: Error) => finish(() => reject(new YosysError(`yosys worker failed: ${e.message}`, watcher.text()))));
    worker.on("exit", (code) =>
      finish(() => reject(new YosysError(`yosys worker exited (code ${code}) without a result`, watcher.text()))),
    );
  });
}

/** `yosys -V` of the native binary on PATH, or undefined when there is none. */
export function nativeYosysVersion(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const c = spawn("yosys", ["-V"], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    c.stdout.on("data", (d: Buffer) => (out += d.toString()));
    c.on("error", () => resolve(undefined));
    c.on("close", (code) => resolve(code === 0 ? out.trim() : undefined));
  });
}

/** Version string of the Yosys that would run. */
export async function yosysVersion(native = false): Promise<string> {
  if (native) return (await nativeYosysVersion()) ?? "not found";
  const { version } = await import("@yowasp/yosys");
  return `Yosys (YoWASP) ${version}`;
}
