/**
 * Three-way differential test: random designs (test/sim/three-way/generator.ts: memories, Vec,
 * Bundle, Enum, nested when / elsewhen / otherwise, switchOn, WireDefault and last connect,
 * registers with and without init and enable, 1 to 200 bits, signed and unsigned operators,
 * hierarchy with repeated instances, library blocks) run on the JS backend, Icarus and Verilator
 * with one seeded stimulus, every output compared on every cycle. GANG designs share one Icarus
 * compile and one Verilator build. A disagreement is shrunk with fast-check to a small design,
 * printed with its recipe, the seeds and its Verilog.
 *
 * Default: 300 designs x 200 cycles. Opt-in: DIFF_DESIGNS=10000 DIFF_CYCLES=1000 (and DIFF_SEED).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gang } from "./three-way/gang";
import { runThreeWay, type Disagreement } from "./three-way/compare";
import { recipeArb, recipes, type Recipe } from "./three-way/recipe";

const DESIGNS = Number(process.env.DIFF_DESIGNS ?? 300);
const CYCLES = Number(process.env.DIFF_CYCLES ?? 200);
const SEED = Number(process.env.DIFF_SEED ?? 15);
const GANG = 50;

const all = recipes(DESIGNS, SEED);
const gangs = Array.from({ length: Math.ceil(DESIGNS / GANG) }, (_, g) => all.slice(g * GANG, (g + 1) * GANG));

/** The smallest recipe fast-check finds, starting from `start`, that still disagrees on its own. */
async function shrink(start: Recipe, stimulusSeed: number): Promise<{ recipe: Recipe; found?: Disagreement; seed: number } | undefined> {
  let last: Disagreement | undefined;
  const r = await fc.check(
    fc.asyncProperty(recipeArb, async (recipe) => {
      const res = await runThreeWay(gang([recipe]), stimulusSeed, CYCLES);
      last = res.disagreements[0];
      return res.disagreements.length === 0;
    }),
    { examples: [[start]], numRuns: 1, seed: stimulusSeed, interruptAfterTimeLimit: 300_000 },
  );
  if (!r.failed || !r.counterexample) return undefined;
  await runThreeWay(gang([r.counterexample[0]]), stimulusSeed, CYCLES).then((res) => (last = res.disagreements[0]));
  return { recipe: r.counterexample[0], ...(last ? { found: last } : {}), seed: r.seed };
}

describe(`JS backend, Icarus and Verilator agree on ${DESIGNS} random designs x ${CYCLES} cycles`, () => {
  it.each(gangs.map((g, i) => [i, g] as const))("designs of gang %i", { timeout: 1_800_000 }, async (g, list) => {
    const seed = SEED * 1000 + g;
    const res = await runThreeWay(gang(list), seed, CYCLES);
    // The generator leaves no X after reset (three-way/generator.ts): an X on Icarus is a gap in it.
    expect(res.xSamples, "Icarus samples that were X").toBe(0);
    if (res.disagreements.length === 0) return;
    const first = res.disagreements[0]!;
    const recipe = list[first.design]!;
    const small = await shrink(recipe, seed);
    const lines = [
      `${res.disagreements.length} of ${list.length} designs disagree (DIFF_SEED=${SEED}, gang ${g}, stimulus seed ${seed});`,
      `first: design ${first.design}, ${first.port} at cycle ${first.cycle}: ${JSON.stringify(first.values)}`,
      `recipe: ${JSON.stringify(recipe)}`,
    ];
    if (small) {
      lines.push(`shrunk (fast-check seed ${small.seed}): ${JSON.stringify(small.recipe)}`);
      if (small.found) lines.push(`  ${small.found.port} at cycle ${small.found.cycle}: ${JSON.stringify(small.found.values)}`);
      lines.push(gang([small.recipe]).verilog);
    } else lines.push("(the design alone agrees: the disagreement needs the gang's stimulus)");
    expect.fail(lines.join("\n"));
  });
});
