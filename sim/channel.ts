/**
 * What a `Simulation` talks to: the pipe to a simulator process (`Transport`), or a backend
 * running inside Node that provides the same life cycle (`sim/js/`).
 */
import type { SimError } from "./errors.js";

export interface Channel {
  /** The error that ended the session, if it has ended abnormally. */
  readonly failure: SimError | undefined;
  readonly open: boolean;
  /** Lines the design printed. */
  readonly log: string[];
  /** Throws the session's failure, or a usage error once closed. */
  checkOpen(): void;
  write(s: string): void;
  writeChunk(s: string): Promise<void>;
  /** Sends `cmd` and waits for `expect` answer lines (fed to `sink` one by one if given). */
  request(cmd: string, expect: number, what: string, sink?: (line: string, index: number) => void): Promise<string[]>;
  close(quit: string): Promise<void>;
  /** End the session, failing all waiters with `e`. */
  kill(e?: SimError): void;
}

export function isChannel(x: object): x is Channel {
  return "request" in x && "checkOpen" in x;
}
