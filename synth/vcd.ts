/**
 * Reads the value-change dumps yosys-smtbmc writes for a trace: the variables of one scope,
 * sampled once per step (smtbmc marks each step with the `smt_step` integer). Only the subset of
 * VCD those files use is read: `$scope`/`$var`/`$upscope`, `#time`, `b<bits> <id>` and scalar changes.
 */

/** A variable's value at each step, as a bit string (MSB first), by variable name. */
export interface StepValues {
  readonly names: readonly string[];
  readonly widths: ReadonlyMap<string, number>;
  /** steps[i].get(name): the bits of `name` at step i. */
  readonly steps: readonly ReadonlyMap<string, string>[];
}

/** The variables declared directly in the scope `scopePath` (e.g. ["__formal_top"]), per step. */
export function readSteps(vcd: string, scopePath: readonly string[]): StepValues {
  const scope: string[] = [];
  const byId = new Map<string, string>();
  const widths = new Map<string, number>();
  const names: string[] = [];
  let stepId: string | undefined;
  const tokens = vcd.split(/\s+/).filter((t) => t !== "");
  let i = 0;
  for (; i < tokens.length && tokens[i] !== "$enddefinitions"; i++) {
    const t = tokens[i]!;
    if (t === "$scope") {
      scope.push(tokens[i + 2]!);
      i += 3;
    } else if (t === "$upscope") {
      scope.pop();
      i += 1;
    } else if (t === "$var") {
      const [, width, id, name] = [tokens[i + 1], tokens[i + 2], tokens[i + 3], tokens[i + 4]];
      if (name === "smt_step") stepId = id;
      else if (scope.length === scopePath.length && scope.every((s, k) => s === scopePath[k])) {
        byId.set(id!, name!);
        widths.set(name!, Number(width));
        names.push(name!);
      }
      while (tokens[i] !== "$end") i++;
    }
  }
  const steps: Map<string, string>[] = [];
  let current = new Map<string, string>();
  const set = (id: string, bits: string): void => {
    if (id === stepId) {
      const n = parseInt(bits, 2);
      while (steps.length <= n) {
        current = new Map(current);
        steps.push(current);
      }
      return;
    }
    const name = byId.get(id);
    if (name !== undefined) current.set(name, bits.padStart(widths.get(name)!, bits[0] === "x" ? "x" : "0"));
  };
  for (i++; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t[0] === "b") set(tokens[++i]!, t.slice(1));
    else if (/^[01xz]/.test(t)) set(t.slice(1), t[0]!);
  }
  return { names, widths, steps };
}

/**
 * The trace Yosys's `sat -dump_vcd` writes: every variable of the top scope (flattened names such
 * as `dut.check_3_ok`, without the leading backslash), one step per distinct timestamp.
 */
export function readSatSteps(vcd: string): StepValues {
  const byId = new Map<string, string>();
  const widths = new Map<string, number>();
  const names: string[] = [];
  for (const m of vcd.matchAll(/\$var \S+ (\d+) (\S+) (\S+)(?: \[[^\]]*\])? \$end/g)) {
    const name = m[3]!.replace(/^\\/, "");
    byId.set(m[2]!, name);
    widths.set(name, Number(m[1]));
    names.push(name);
  }
  const body = vcd.split("$enddefinitions $end")[1] ?? "";
  const steps: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let started = false;
  const tokens = body.split(/\s+/).filter((t) => t !== "");
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t[0] === "#") {
      current = new Map(current);
      steps.push(current);
      started = true;
    } else if (t[0] === "b") {
      const name = byId.get(tokens[++i]!);
      if (name !== undefined && started) current.set(name, t.slice(1).padStart(widths.get(name)!, "0"));
    } else if (/^[01xz]/.test(t) && t.length > 1) {
      const name = byId.get(t.slice(1));
      if (name !== undefined && started) current.set(name, t[0]!);
    }
  }
  return { names, widths, steps };
}
