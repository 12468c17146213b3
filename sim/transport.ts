/**
 * The pipe to a running simulator that speaks the line protocol (sim/README.md): commands go
 * to its stdin; answers (`@...` lines) come back on stdout in order and settle the requests
 * waiting for them, one request per command group, each with a time limit. Other stdout lines
 * are the design's own output. Once the process dies, is killed or times out, every waiting
 * and later request fails with the same SimError.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { SimError, SimProcessError, SimTimeoutError, SimToolMissingError, SimUsageError } from "./errors.js";
import type { Channel } from "./channel.js";
import type { Launch } from "./launch.js";
import { track } from "./processes.js";

interface Pending {
  readonly expect: number;
  readonly lines: string[];
  received: number;
  /** Consumes each answer line instead of collecting it (batch samples). */
  readonly sink: ((line: string, index: number) => void) | undefined;
  readonly resolve: (lines: string[]) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Lines of the design's own output kept for error messages and `output()`. */
const LOG_LINES = 1000;

export class Transport implements Channel {
  readonly tool: string;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: Pending[] = [];
  private partial = "";
  private stderr = "";
  readonly log: string[] = [];
  private dead: SimError | undefined;
  private closing = false;
  private exited = false;
  private readonly exitPromise: Promise<void>;

  constructor(
    launch: Launch,
    args: readonly string[],
    private readonly timeoutMs: number,
    installHint: string,
    /** Handles the design's check reports (`@A`, `@C` lines); a returned error ends the session. */
    private readonly onCheck: ((line: string) => SimError | undefined) | undefined = undefined,
  ) {
    this.tool = launch.tool;
    this.child = spawn(launch.command, [...launch.args, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    track(this.child);
    this.child.stdout.setEncoding("utf8").on("data", (d: string) => this.onData(d));
    this.child.stderr.setEncoding("utf8").on("data", (d: string) => {
      this.stderr += d;
      if (this.stderr.length > 65536) this.stderr = this.stderr.slice(-32768);
    });
    this.child.stdin.on("error", () => {
      /* reported through 'close' */
    });
    this.exitPromise = new Promise((res) => {
      this.child.on("close", (code, signal) => {
        this.exited = true;
        this.onExit(code, signal);
        res();
      });
    });
    this.child.on("error", (err: NodeJS.ErrnoException) => {
      this.fail(err.code === "ENOENT" ? new SimToolMissingError(launch.command, installHint) : new SimError(`could not start ${launch.command}: ${err.message}`));
    });
  }

  /** The error that ended the session, if it has ended abnormally. */
  get failure(): SimError | undefined {
    return this.dead;
  }

  get open(): boolean {
    return !this.dead && !this.closing && !this.exited;
  }

  /** Throws the session's failure, or a usage error once closed. */
  checkOpen(): void {
    if (this.dead) throw this.dead;
    if (this.closing || this.exited) throw new SimUsageError("the simulation is closed");
  }

  write(s: string): void {
    if (!this.dead && !this.exited) this.child.stdin.write(s);
  }

  /**
   * Writes a large chunk and resolves when the pipe can take more (or the process is gone),
   * so a long batch never buffers all its stimulus in memory.
   */
  async writeChunk(s: string): Promise<void> {
    if (this.child.stdin.write(s) || this.dead) return;
    await new Promise<void>((res) => {
      const done = (): void => {
        this.child.stdin.off("drain", done);
        this.child.off("close", done);
        res();
      };
      this.child.stdin.on("drain", done);
      this.child.on("close", done);
    });
  }

  /** Sends `cmd` and waits for `expect` answer lines (fed to `sink` one by one if given). */
  request(cmd: string, expect: number, what: string, sink?: (line: string, index: number) => void): Promise<string[]> {
    return new Promise((res, rej) => {
      if (this.dead) return rej(this.dead);
      if (expect === 0) {
        if (cmd) this.write(cmd);
        return res([]);
      }
      const ms = this.timeoutMs;
      const timer = setTimeout(() => this.kill(new SimTimeoutError(ms, what)), ms);
      this.pending.push({ expect, lines: [], received: 0, sink, resolve: res, reject: rej, timer });
      if (cmd) this.write(cmd);
    });
  }

  /** Asks the simulator to quit and waits for it to exit (killed after 10 s). Safe to call twice. */
  async close(quit: string): Promise<void> {
    if (this.closing || this.exited) {
      await this.exitPromise;
      return;
    }
    if (this.dead) return;
    this.closing = true;
    const t = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    this.write(quit);
    this.child.stdin.end();
    await this.exitPromise;
    clearTimeout(t);
  }

  /** Kill the process, failing all waiters with `e`. */
  kill(e: SimError = new SimUsageError("the simulation was stopped")): void {
    if (!this.dead) this.dead = e;
    this.rejectAll();
    if (!this.exited) this.child.kill("SIGKILL");
  }

  private onData(d: string): void {
    const text = this.partial + d;
    const lines = text.split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) {
      if (line.startsWith("@")) this.onResponse(line);
      else {
        this.log.push(line);
        if (this.log.length > LOG_LINES) this.log.shift();
      }
    }
  }

  private onResponse(line: string): void {
    if (line.startsWith("@Q")) return;
    if (this.onCheck && (line.startsWith("@A ") || line.startsWith("@C "))) {
      const e = this.onCheck(line);
      if (e) this.kill(e);
      return;
    }
    if (line.startsWith("@!")) {
      this.kill(new SimError(`protocol error from ${this.tool} harness: ${line.slice(2).trim()}`));
      return;
    }
    const p = this.pending[0];
    if (!p) {
      this.kill(new SimError(`unexpected output from ${this.tool}: ${line}`));
      return;
    }
    if (p.sink) p.sink(line, p.received);
    else p.lines.push(line);
    p.received++;
    if (p.received === p.expect) {
      this.pending.shift();
      clearTimeout(p.timer);
      p.resolve(p.lines);
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.dead && !(this.closing && this.pending.length === 0)) {
      const detail = [this.stderr.trim(), ...this.log.slice(-20)].filter((s) => s).join("\n");
      this.dead = new SimProcessError(this.tool, code, signal, detail);
    }
    this.rejectAll();
  }

  private fail(e: SimError): void {
    if (!this.dead) this.dead = e;
    this.rejectAll();
  }

  private rejectAll(): void {
    const e = this.dead ?? new SimUsageError("the simulation is closed");
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(e);
    }
  }
}
