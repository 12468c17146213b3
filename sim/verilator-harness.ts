/**
 * The Verilator co-simulation harness: `verilator-harness.cpp` (a real C++ file next to this
 * one) plus the port table of one design, written here as the `harness-ports.h` it includes.
 * `verilatorHarness` returns the whole source with the table in place of the include.
 */
import { readFileSync } from "node:fs";
import type { PortTable } from "./ports.js";
import { probePorts } from "./verilator-probes.js";

const HARNESS_FILE = new URL("./verilator-harness.cpp", import.meta.url);
const INCLUDE = '#include "harness-ports.h"';

let harness: string | undefined;

function harnessSource(): string {
  harness ??= readFileSync(HARNESS_FILE, "utf8");
  return harness;
}

/**
 * The `harness-ports.h` of a design: its top, clock and X-macro lists of ports. Probes are
 * the outputs the wrapper (verilator-probes.ts) adds, after the design's ports and outputs.
 */
export function harnessPorts(t: PortTable): string {
  const entry = (i: number, name: string, width: number): string => ` \\\n  X(${i}, ${name}, ${width})`;
  const probes = probePorts(t).map((name, k) => entry(t.ports.length + k, name, t.probes[k]!.width)).join("");
  const L = [`// harness-ports.h for ${t.design.top}: written by sim/verilator-harness.ts`];
  L.push(`#define HARNESS_TOP ${JSON.stringify(t.design.top)}`);
  if (t.clock !== undefined) L.push(`#define HARNESS_CLOCK ${t.clock}`);
  L.push(`#define HARNESS_INPUTS(X)${t.inputs.map((p, i) => entry(i, p.name, p.width)).join("")}`);
  L.push(`#define HARNESS_PORTS(X)${t.ports.map((p, i) => entry(i, p.name, p.width)).join("")}${probes}`);
  L.push(`#define HARNESS_OUTPUTS(X)${t.outputs.map((p) => entry(t.portIndex.get(p.name)!, p.name, p.width)).join("")}${probes}`);
  return L.join("\n") + "\n";
}

/** The complete C++ main() for the Verilated model of `t`'s design (the harness with its port table). */
export function verilatorHarness(t: PortTable): string {
  const src = harnessSource();
  if (!src.includes(INCLUDE)) throw new Error(`${HARNESS_FILE.pathname} does not include harness-ports.h`);
  return src.replace(INCLUDE, harnessPorts(t).trimEnd());
}
