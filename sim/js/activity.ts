/**
 * Activity tracking for the JS backend (`codegen.ts`): the levelised combinational assignments
 * are grouped into blocks (runs of consecutive items of the levelised order), each guarded by a
 * dirty flag `D[b]`. A block runs only when something it reads changed since it last ran: a
 * register or read port taking a new value at an edge, an input set to a new value, a memory
 * written, an asynchronous reset, or a value written by an earlier block that came out
 * different. Everything a block computes is a function of what it reads (operators are pure, a
 * memory read is marked by the memory's writes), so a block whose inputs did not change would
 * recompute the values it already holds: skipping it changes no result. The next values of
 * registers and read ports computed at an edge are grouped and guarded the same way, with their
 * updates (below, `Activity` constructor).
 *
 * Variables are found in the generated lines by name: `s<id>` (flat signals), `t<i>`
 * (temporaries) and `m<id>` (memories) are the only identifiers of those shapes the generator
 * writes; an assignment's target starts its line (`s5 = ...;`, also inside `if` trees).
 */

/** Lines per block: small enough to skip inactive logic, large enough to amortise the checks. */
const BLOCK_LINES = 24;

const VARIABLE = /\b[stm]\d+\b/g;
/** Runs of consecutive items of about BLOCK_LINES lines. */
function blocksOf<T>(items: readonly T[], lines: (item: T) => readonly string[]): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let n = 0;
  for (const item of items) {
    const k = lines(item).length;
    if (k === 0) continue;
    cur.push(item);
    n += k;
    if (n >= BLOCK_LINES) {
      out.push(cur);
      cur = [];
      n = 0;
    }
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

const MARK = /\/\*mark:([stm]\d+)\*\//g;

/**
 * A place in code written before the blocks are known (a memory write, an asynchronous reset)
 * that marks the readers of variable `v`: `Activity.resolveMarks` fills it in.
 */
export function markToken(v: string): string {
  return `/*mark:${v}*/`;
}
const TARGET = /^\s*([st]\d+) = /;

/** A register's or synchronous read port's next value (`n<target>`), computed at an edge of its clock. */
export interface EdgeItem {
  readonly compute: readonly string[];
  readonly target: number;
}

export class Activity {
  /** The combinational code, one entry per guarded block. */
  readonly blocks: string[][];
  /** Per clock: the next values' code and the registers' updates, guarded per block. */
  readonly compute: string[][][];
  readonly commit: string[][][];
  /** Number of dirty flags (the length of `D`) and of "computed at this edge" flags (of `C`). */
  readonly count: number;
  readonly computeCount: number;
  /** Blocks reading each variable they do not write themselves. */
  private readonly fanout = new Map<string, number[]>();

  /**
   * `comb`: the levelised items; `edges`: per clock, what its edges compute. A block of edge
   * items also runs only when something it reads changed since its last edge: otherwise its next
   * values are those it computed then, which the registers already hold, so their update is
   * skipped too (an asynchronous reset changes the register, which marks the block).
   */
  constructor(comb: readonly (readonly string[])[], edges: readonly (readonly EdgeItem[])[]) {
    const groups = blocksOf(comb, (i) => i);
    const edgeGroups = edges.map((items) => blocksOf(items, (i) => i.compute));
    const writes = groups.map((g) => {
      const w = new Set<string>();
      for (const l of g.flat()) {
        const m = TARGET.exec(l);
        if (m) w.add(m[1]!);
      }
      return w;
    });
    const writer = new Map<string, number>();
    writes.forEach((w, b) => w.forEach((v) => writer.set(v, b)));
    const read = (lines: readonly string[], b: number, own: ReadonlySet<string>): void => {
      const reads = new Set<string>();
      for (const l of lines) for (const v of l.match(VARIABLE) ?? []) if (!own.has(v)) reads.add(v);
      for (const v of reads) {
        // The levelised order writes every value before its readers: a read of a value written
        // by this block or a later one would be a bug of the generator.
        const from = writer.get(v);
        if (from !== undefined && from >= b) throw new Error(`internal: ${v} is read by block ${b} before block ${from} writes it`);
        let list = this.fanout.get(v);
        if (!list) this.fanout.set(v, (list = []));
        list.push(b);
      }
    };
    groups.forEach((g, b) => read(g.flat(), b, writes[b]!));
    let next = groups.length;
    let c = 0;
    const edgeBlocks = edgeGroups.map((gs) => gs.map((items) => ({ items, d: next++, c: c++ })));
    for (const bs of edgeBlocks) for (const b of bs) read(b.items.flatMap((i) => i.compute), b.d, new Set());
    this.count = next;
    this.computeCount = c;
    this.blocks = groups.map((g, b) => this.guarded(g.flat(), b, [...writes[b]!].filter((v) => this.fanout.has(v))));
    this.compute = edgeBlocks.map((bs) => bs.map((b) => [`  if (D[${b.d}] !== 0) {`, `  D[${b.d}] = 0;`, `  C[${b.c}] = 1;`, ...b.items.flatMap((i) => i.compute), "  }"]));
    this.commit = edgeBlocks.map((bs) => bs.map((b) => [`  if (C[${b.c}] !== 0) {`, `  C[${b.c}] = 0;`, ...b.items.map((i) => this.assign(`s${i.target}`, `n${i.target}`)), "  }"]));
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
