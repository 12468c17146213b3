/**
 * Handles on the design's probes (`TestbenchOptions.probes`): read-only views of internal
 * signals, peeked and expected like ports; `expect` names the probe as `q.count (probe)`.
 */
import { SimUsageError } from "../errors.js";
import type { ProbeInfo } from "../probes.js";
import { ReadableHandle, type HandleContext } from "./handles.js";

/** One probe: an internal signal or memory word, by its path. */
export class ProbeHandle extends ReadableHandle {
  constructor(
    ctx: HandleContext,
    readonly info: ProbeInfo,
  ) {
    super(ctx, info);
  }

  /** The path, as given in the probe list (`q.count`). */
  get name(): string {
    return this.info.name;
  }

  /** Probes are read-only: a call does not compile, and raises a usage error naming the probe. */
  poke(value: never): never {
    void value;
    throw new SimUsageError(`cannot poke probe "${this.info.name}": probes are read-only`);
  }

  /** `q.count (probe)`. */
  get label(): string {
    return `${this.info.name} (probe)`;
  }
}

/** The handles of a testbench's probes, by path. */
export function probeHandles<P extends string>(ctx: HandleContext, probes: readonly ProbeInfo[]): Readonly<Record<P, ProbeHandle>> {
  const out: Record<string, ProbeHandle> = {};
  for (const p of probes) out[p.name] = new ProbeHandle(ctx, p);
  return out as Readonly<Record<P, ProbeHandle>>;
}
