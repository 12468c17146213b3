import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
  /** Wall-time limit for the native binary (ms, default 30 min). */
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
  constructor(private readonly onProgress: ((p: YosysProgress) => void) | undefined) {}
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
    if (m && this.onProgress) this.onProgress({ pass: `${m[1]} ${m[2]}`, elapsedMs: Date.now() - this.start });
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
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn("yosys", ["-s", "script.ys"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout.on("data", (d: Buffer) => watcher.push(d.toString("utf8")));
        child.stderr.on("data", (d: Buffer) => watcher.push(d.toString("utf8")));
        const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30 * 60_000);
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
      if (code !== 0) throw new YosysError(`yosys failed (exit ${code}):\n${errorLines(log)}`, log);
      const files: Record<string, string> = {};
      for (const o of outputs) files[o] = await readFile(join(dir, o), "utf8");
      return { files, logTail: log, elapsedMs: Date.now() - t0, engine: "native" };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const { runYosys } = await import("@yowasp/yosys");
  let tree: Awaited<ReturnType<typeof runYosys>>;
  const tree0: Record<string, string> = { ...inputs, "script.ys": script };
  try {
    tree = await runYosys(["-s", "script.ys"], tree0, {
      stdout: (b) => {
        if (b) watcher.push(b);
      },
      stderr: (b) => {
        if (b) watcher.push(b);
      },
    });
  } catch (e) {
    const log = watcher.text();
    const code = typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "?";
    throw new YosysError(`yosys failed (exit ${code}):\n${errorLines(log)}`, log);
  }
  const files: Record<string, string> = {};
  for (const o of outputs) {
    const f = tree?.[o];
    if (typeof f === "string") files[o] = f;
    else if (f instanceof Uint8Array) files[o] = new TextDecoder().decode(f);
    else throw new YosysError(`yosys did not write ${o}`, watcher.text());
  }
  return { files, logTail: watcher.text(), elapsedMs: Date.now() - t0, engine: "wasm" };
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
