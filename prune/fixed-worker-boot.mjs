// Worker entry for fixed-parallel.ts: registers tsx's TypeScript loader in this worker thread, then
// loads fixed-worker.ts (hooks registered by `npx tsx` in the main thread do not reach workers).
import { register } from "tsx/esm/api";
register();
await import("./fixed-worker.ts");
