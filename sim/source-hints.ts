/**
 * Tool messages mapped back to the design: the Verilog lines a tool names, with the TypeScript
 * `file:line` from the `// file:line` comment the emitter puts on declarations.
 */
import type { SourceHint } from "./errors.js";

const TS_LOC = /\/\/.*?((?:[\w@.\-]+\/)*[\w@.\-]+\.(?:[cm]?tsx?|[cm]?jsx?):\d+(?::\d+)?)/;

/** The `file:line` from a `// file:line` comment on a Verilog line, if any. */
export function tsLocationOf(line: string): string | undefined {
  return TS_LOC.exec(line)?.[1];
}

/**
 * Map the line numbers a tool reported for `fileName` back to design lines,
 * with the TypeScript location from their `// file:line` comment where present.
 * The nearest preceding comment line with a location is used when the line itself has none.
 */
export function sourceHints(toolOutput: string, fileName: string, verilog: string): SourceHint[] {
  const lines = verilog.split("\n");
  const esc = fileName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`(?:^|[\\s/])${esc}:(\\d+)`, "g");
  const seen = new Set<number>();
  const hints: SourceHint[] = [];
  for (const m of toolOutput.matchAll(re)) {
    const n = Number(m[1]);
    if (seen.has(n) || n < 1 || n > lines.length) continue;
    seen.add(n);
    const text = lines[n - 1] ?? "";
    let ts = tsLocationOf(text);
    for (let k = n - 2; ts === undefined && k >= 0 && k >= n - 6; k--) {
      const prev = lines[k] ?? "";
      if (/^\s*\/\//.test(prev)) ts = tsLocationOf(prev);
      else break;
    }
    hints.push(ts === undefined ? { verilogLine: n, verilogText: text } : { verilogLine: n, verilogText: text, tsLocation: ts });
    if (hints.length >= 10) break;
  }
  return hints;
}
