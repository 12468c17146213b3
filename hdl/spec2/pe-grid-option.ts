/** The `--pes OxI` option of the engine's commands (run-network.ts, bench/engine-mnist.ts, bench/vgg16-engine.ts). */
import { CliError } from "../core/cli";

/** "OxI" as the PE grid pOut x pIn, each in 1..64; a CliError (exit 2) naming the option otherwise. */
export function parsePeGrid(text: string): { pOut: number; pIn: number } {
  const m = /^(\d+)x(\d+)$/.exec(text);
  const pOut = m ? Number(m[1]) : NaN;
  const pIn = m ? Number(m[2]) : NaN;
  if (!m || pOut < 1 || pIn < 1 || pOut > 64 || pIn > 64) throw new CliError(`--pes ${text}: expected OxI, two integers in 1..64 (for example 2x2)`, 2);
  return { pOut, pIn };
}
