/**
 * Activity tracking for the JS backend's combinational logic (`codegen.ts`): the levelised
 * assignments are grouped into blocks (runs of consecutive items of the levelised order), each
 * guarded by a dirty flag `D[b]`. A block runs only when something it reads changed since it
 * last ran: a register or read port taking a new value at an edge, an input set to a new value,
 * a memory written, or a value written by an earlier block that came out different. Everything
 * a block computes is a function of what it reads (operators are pure, a memory read is marked
 * by the memory's writes), so a block whose inputs did not change would recompute the values it
 * already holds: skipping it changes no result.
 *
 * Variables are found in the generated lines by name: `s<id>` (flat signals), `t<i>`
 * (temporaries) and `m<id>` (memories) are the only identifiers of those shapes the generator
 * writes; an assignment's target starts its line (`s5 = ...;`, also inside `if` trees).
 */

/** Lines per block: small enough to skip inactive logic, large enough to amortise the checks. */
const BLOCK_LINES = 24;

const VARIABLE = /\b[stm]\d+\b/g;
const MARK = /\/\*mark:([stm]\d+)\*\//g;

/**
 * A place in code written before the blocks are known (a memory write, an asynchronous reset)
 * that marks the readers of variable `v`: `Activity.resolveMarks` fills it in.
 */
export function markToken(v: string): string {
  return `/*mark:${v}*/`;
}
const TARGET = /^\s*([st]\d+) = /;

export class Activity {
  /** The combinational code, one entry per guarded block. */
  readonly blocks: string[][];
  /** Number of dirty flags (the length of `D`). */
  readonly count: number;
  /** Blocks reading each variable they do not write themselves. */
  private readonly fanout = new Map<string, number[]>();

  constructor(items: readonly (readonly string[])[]) {
    const groups: string[][] = [];
    let cur: string[] = [];
    for (const item of items) {
      for (const l of item) cur.push(l);
      if (cur.length >= BLOCK_LINES) {
        groups.push(cur);
        cur = [];
      }
    }
    if (cur.length > 0) groups.push(cur);
    const writes = groups.map((g) => {
      const w = new Set<string>();
      for (const l of g) {
        const m = TARGET.exec(l);
        if (m) w.add(m[1]!);
      }
      return w;
    });
    const writer = new Map<string, number>();
    writes.forEach((w, b) => w.forEach((v) => writer.set(v, b)));
    groups.forEach((g, b) => {
      const reads = new Set<string>();
      for (const l of g) for (const v of l.match(VARIABLE) ?? []) if (!writes[b]!.has(v)) reads.add(v);
      for (const v of reads) {
        // The levelised order writes every value before its readers: a read of a value written
        // by this block or a later one would be a bug of the generator.
        const from = writer.get(v);
        if (from !== undefined && from >= b) throw new Error(`internal: ${v} is read by block ${b} before block ${from} writes it`);
        let list = this.fanout.get(v);
        if (!list) this.fanout.set(v, (list = []));
        list.push(b);
      }
    });
    this.count = groups.length;
    this.blocks = groups.map((g, b) => this.guarded(g, b, [...writes[b]!].filter((v) => this.fanout.has(v))));
  }

  /** Sets the dirty flag of every block reading variable `v` (empty when none does). */
  mark(v: string): string {
    return (this.fanout.get(v) ?? []).map((b) => `D[${b}] = 1;`).join(" ");
  }

  /** `source` with every `markToken` replaced by its marks. */
  resolveMarks(source: string): string {
    return source.replace(MARK, (_, v: string) => this.mark(v));
  }

  /** `target = value`, marking the readers of `target` when the value differs. */
  assign(target: string, value: string, pad = "  "): string {
    const mark = this.mark(target);
    return mark === "" ? `${pad}${target} = ${value};` : `${pad}if (${target} !== ${value}) { ${target} = ${value}; ${mark} }`;
  }

  /**
   * Block `b`: skipped unless dirty; its values read by later blocks compared with the ones
   * before (raw bits are non-negative integers or bigints, so `!==` compares values exactly).
   */
  private guarded(lines: readonly string[], b: number, outputs: readonly string[]): string[] {
    const before = outputs.map((v, i) => `o${i} = ${v}`);
    return [
      `if (D[${b}] !== 0) {`,
      `D[${b}] = 0;`,
      ...(before.length > 0 ? [`const ${before.join(", ")};`] : []),
      ...lines,
      ...outputs.map((v, i) => `if (${v} !== o${i}) { ${this.mark(v)} }`),
      "}",
    ];
  }
}
