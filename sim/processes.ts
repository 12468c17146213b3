/**
 * Child processes still running (simulators, and the compilers building them): killed when the
 * Node process ends or is interrupted, so none outlives its test or leaves a half-built model.
 */
import type { ChildProcess } from "node:child_process";
import { onProcessEnd } from "./exit-hooks.js";

/** Each child, and whether it leads a process group of its own (a build: make and its compilers). */
const live = new Map<ChildProcess, boolean>();
let hooked = false;

export function track(child: ChildProcess, group = false): void {
  if (!hooked) {
    hooked = true;
    onProcessEnd(killAll);
  }
  live.set(child, group);
  child.on("close", () => live.delete(child));
}

function killAll(): void {
  for (const [c, group] of live) {
    try {
      if (group && c.pid !== undefined) process.kill(-c.pid, "SIGKILL");
      else c.kill("SIGKILL");
    } catch {
      /* already gone */
    }
  }
  live.clear();
}
