// Worker entry for engine.ts: registers tsx's TypeScript loader in this worker thread, then
// loads worker.ts (hooks registered by `npx tsx` in the main thread do not reach workers).
import { register } from "tsx/esm/api";
register();
await import("./worker.ts");
