/**
 * The reports of `checkUninitialised` on the JS backend: an unknown value read by an output peek
 * or sample (checked here) or by an edge-time reader of the generated code (`U.report`).
 * "error" raises SimUninitialisedReadError; "report" keeps the first read of each reader.
 */
import { SimUninitialisedReadError, type UninitialisedRead } from "../errors.js";
import type { CompiledDesign } from "./model.js";
import { describeOrigin, type Origin, type Sink } from "./origins.js";

export type UninitMode = "error" | "report";

export class UninitChecker {
  readonly reads: UninitialisedRead[] = [];
  private readonly seen = new Set<string>();
  private readonly origins: readonly Origin[];
  private readonly sinks: readonly Sink[];

  constructor(
    readonly mode: UninitMode,
    compiled: CompiledDesign,
  ) {
    this.origins = compiled.uninit?.origins ?? [];
    this.sinks = compiled.uninit?.sinks ?? [];
  }

  /** An edge-time reader of the generated code read a value unknown from `origin`. */
  atEdge(sink: number, origin: number, cycle: number): void {
    this.read(this.sinks[sink]?.reader ?? `reader ${sink}`, origin, cycle);
  }

  /** Output `port` was peeked or sampled with shadow `origin` (not 0). */
  output(port: string, origin: number, cycle: number): void {
    this.read(`output "${port}"`, origin, cycle);
  }

  private read(reader: string, origin: number, cycle: number): void {
    const { source, site } = describeOrigin(this.origins, origin);
    if (this.mode === "error") throw new SimUninitialisedReadError(reader, cycle, source, site);
    if (this.seen.has(reader)) return;
    this.seen.add(reader);
    this.reads.push({ reader, cycle, source, site });
  }
}
