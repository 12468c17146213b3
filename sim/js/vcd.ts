/**
 * VCD output of the JS backend: every signal of every scope (aliases of one net share its
 * identifier code), the values that changed written at each dump.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { VcdSignal } from "./codegen.js";

const FLUSH_AT = 1 << 16;

function code(id: number): string {
  let s = "";
  let n = id;
  do {
    s += String.fromCharCode(33 + (n % 94));
    n = Math.floor(n / 94);
  } while (n > 0);
  return s;
}

export class VcdWriter {
  private readonly fd: number;
  private buf = "";
  private readonly ids: number[];
  private readonly widths = new Map<number, number>();
  private readonly last = new Map<number, number | bigint>();
  private lastTime = -1;

  constructor(
    path: string,
    signals: readonly VcdSignal[],
    private readonly get: (id: number) => number | bigint,
  ) {
    this.fd = openSync(path, "w");
    this.buf += "$version spec2-hdl js backend $end\n$timescale 1ns $end\n";
    // Scopes in order of first appearance; signals grouped under them.
    const byPath = new Map<string, VcdSignal[]>();
    for (const s of signals) {
      const key = s.path.join(".");
      let list = byPath.get(key);
      if (!list) byPath.set(key, (list = []));
      list.push(s);
      this.widths.set(s.id, s.width);
    }
    let open: readonly string[] = [];
    for (const list of byPath.values()) {
      const path = list[0]!.path;
      let common = 0;
      while (common < open.length && common < path.length && open[common] === path[common]) common++;
      for (let i = open.length; i > common; i--) this.buf += "$upscope $end\n";
      for (let i = common; i < path.length; i++) this.buf += `$scope module ${path[i]} $end\n`;
      open = path;
      for (const s of list) this.buf += `$var wire ${s.width} ${code(s.id)} ${s.name}${s.width > 1 ? ` [${s.width - 1}:0]` : ""} $end\n`;
    }
    for (let i = open.length; i > 0; i--) this.buf += "$upscope $end\n";
    this.buf += "$enddefinitions $end\n";
    this.ids = [...this.widths.keys()];
  }

  /** Writes the values that changed since the last dump, at `time`. */
  dump(time: number): void {
    let changes = "";
    for (const id of this.ids) {
      const v = this.get(id);
      if (this.last.get(id) === v) continue;
      this.last.set(id, v);
      const w = this.widths.get(id)!;
      changes += w === 1 ? `${v}${code(id)}\n` : `b${v.toString(2)} ${code(id)}\n`;
    }
    if (changes === "") return;
    if (time !== this.lastTime) this.buf += `#${time}\n`;
    this.lastTime = time;
    this.buf += changes;
    if (this.buf.length > FLUSH_AT) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.buf) writeSync(this.fd, this.buf);
    this.buf = "";
  }
}
