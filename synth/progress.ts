/**
 * Yosys progress on stderr while it runs: a spinner with the elapsed time and the current pass
 * on a terminal; otherwise one line per top-level pass, at most one a second.
 */
import type { YosysProgress } from "./yosys.js";

export function progressPrinter(): { update: (p: YosysProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  const frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
  let k = 0;
  let lastTop = "";
  let lastDraw = 0;
  return {
    update(p) {
      const secs = (p.elapsedMs / 1000).toFixed(1).padStart(5);
      const now = Date.now();
      if (tty) {
        if (now - lastDraw < 80) return;
        lastDraw = now;
        const line = `${frames[k++ % frames.length]} yosys ${secs}s  ${p.pass}`;
        process.stderr.write(`\r${line.slice(0, (process.stderr.columns || 80) - 1).padEnd(60)}`);
        return;
      }
      const top = p.pass.split(" ")[0]!.split(".").slice(0, 2).join(".");
      if (top !== lastTop && now - lastDraw >= 1000) {
        lastTop = top;
        lastDraw = now;
        process.stderr.write(`[yosys ${secs}s] ${p.pass}\n`);
      }
    },
    done() {
      if (tty) process.stderr.write("\r" + " ".repeat(70) + "\r");
    },
  };
}
