/**
 * Handles on the design's probes (`TestbenchOptions.probes`): read-only views of internal
 * signals, peeked and expected like ports; `expect` names the probe as `q.count (probe)`.
 */
import { SimUsageError } from "../errors.js";
import type { SimValue } from "../ports.js";
import type { ProbeInfo } from "../probes.js";
import { TestbenchExpectError } from "./errors.js";
import type { Expected, HandleContext } from "./handles.js";

/** One probe: an internal signal or memory word, by its path. */
export class ProbeHandle {
  constructor(
    private readonly ctx: HandleContext,
    readonly info: ProbeInfo,
  ) {}

  /** The path, as given in the probe list (`q.count`). */
  get name(): string {
    return this.info.name;
  }

  get width(): number {
    return this.info.width;
  }

  /** The value now: a number up to 53 bits, else a bigint. Signed signals read negative. */
  peek(): Promise<SimValue> {
    return this.ctx.sim.peekValue(this.info.name);
  }

  /** Like `peek`, but undefined while the signal is X/Z (Icarus before reset or a first write). */
  tryPeek(): Promise<SimValue | undefined> {
    return this.ctx.sim.tryPeek(this.info.name);
  }

  /** Fails with `TestbenchExpectError` (`q.count (probe): expected 3, got 2 at cycle 7`) unless the probe holds `value` now. */
  async expect(value: Expected, note?: string): Promise<void> {
    const actual = BigInt(await this.peek());
    const wanted = BigInt(value);
    if (actual !== wanted) throw new TestbenchExpectError(this.label, wanted, actual, this.ctx.cycle, note);
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
