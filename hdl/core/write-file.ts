/**
 * Writing output files atomically: the text goes to a temporary file next to the target, then
 * is renamed over it, so a reader never sees half a file and a failed write leaves nothing.
 */
import { renameSync, rmSync, writeFileSync } from "node:fs";

export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
