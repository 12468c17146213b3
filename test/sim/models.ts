import type { Sample, SimValue, Stimulus } from "../../sim/index";

/** A deterministic PRNG (xorshift32) so failures reproduce. */
export function rng(seed: number): { int(n: number): number; bits(w: number): bigint; signed(w: number): number } {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return {
    int: (n) => next() % n,
    bits: (w) => {
      let v = 0n;
      for (let i = 0; i < w; i += 32) v = (v << 32n) | BigInt(next());
      return v & ((1n << BigInt(w)) - 1n);
    },
    signed: (w) => {
      const v = next() % 2 ** w;
      return v >= 2 ** (w - 1) ? v - 2 ** w : v;
    },
  };
}

export function toSigned(v: bigint, w: number): bigint {
  const m = 1n << BigInt(w);
  v &= m - 1n;
  return v >> BigInt(w - 1) ? v - m : v;
}

/** A cycle-based TypeScript model: outputs from state + inputs, then a clock edge. */
export interface Model {
  outputs(inp: Stimulus): Sample;
  tick(inp: Stimulus): void;
}

/** Run the model over the stimulus (inputs held between cycles like the simulator does). */
export function runModel(model: Model, stimulus: readonly Stimulus[], initial: Stimulus): Sample[] {
  const cur: Record<string, SimValue> = { ...initial };
  const out: Sample[] = [];
  for (const s of stimulus) {
    Object.assign(cur, s);
    out.push(model.outputs(cur));
    model.tick(cur);
  }
  return out;
}

const n = (v: SimValue | undefined): number => Number(v ?? 0);
const b = (v: SimValue | undefined): bigint => BigInt(v ?? 0);

export function counterModel(): Model {
  let count = 0;
  return {
    outputs: (i) => ({ count, wrap: n(i.en) && count + n(i.step) > 0xffff ? 1 : 0 }),
    tick: (i) => {
      if (n(i.reset)) count = 0;
      else if (n(i.en)) count = (count + n(i.step)) & 0xffff;
    },
  };
}

export function adderModel(): Model {
  const wrap = (v: number, w: number): number => Number(toSigned(BigInt(v), w));
  return {
    outputs: (i) => {
      const a = n(i.a);
      const bb = n(i.b);
      return { sum: a + bb, diff: wrap(a - bb, 12), prod: a * bb, usum: n(i.u) + 1, lt: a < bb ? 1 : 0 };
    },
    tick: () => undefined,
  };
}

export function wideModel(): Model {
  const M = (1n << 100n) - 1n;
  let q = 0n;
  return {
    outputs: (i) => ({ q, qx: q ^ b(i.mask), low: toSigned(q, 70) }),
    tick: (i) => {
      if (n(i.reset)) q = 0n;
      else if (n(i.load)) q = b(i.d);
      else q = ((q << 1n) | (q >> 99n)) & M;
    },
  };
}

export function memoryModel(): Model {
  const mem = Array.from({ length: 256 }, (_, k) => (k * 0x01010101) >>> 0);
  let rdata = 0;
  return {
    outputs: (i) => ({ rdata, adata: mem[n(i.aaddr)]! }),
    tick: (i) => {
      rdata = mem[n(i.raddr)]!;
      if (n(i.we)) mem[n(i.waddr)] = n(i.wdata);
    },
  };
}
