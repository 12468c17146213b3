/**
 * Arbiters over n Decoupled inputs of one type, giving `{ in: Vec(n, Decoupled(t)), out, chosen }`:
 *   Arbiter { type, n }     fixed priority: the lowest-numbered valid input wins.
 *   RRArbiter { type, n }   round robin: the first valid input after the one granted last (the
 *                           grant pointer moves when a word is taken), then from input 0.
 * `out` is combinational from the inputs (no register); `in[i].ready` is high when input i is the
 * chosen one and `out.ready` is high; `chosen` is the index of the chosen input (the lowest
 * priority one, n-1 for Arbiter, when none is valid).
 *
 * Stream rules: by design (as Chisel's Arbiter and RRArbiter) `out` does NOT keep its word until
 * ready: while it waits, an input that becomes valid and comes first in the order (a lower index;
 * for RRArbiter, an earlier one after the last grant) takes the output over, so `out.bits` and
 * `chosen` change (the proofs refute the rule for both, test/lib/stream-rules.test.ts). A
 * consumer that needs the rule gets it from a Queue or SkidBuffer after the arbiter. valid
 * itself stays high while any input holds its word.
 */
import { Bool, Decoupled, Input, Output, Reg, UInt, Vec, constant, defineModule, log2Ceil, mux, requireParam, when, type HdlType, type Signal } from "../core/index.js";
import { pack, unpackInto } from "./pack.js";
import { Mux1H } from "./one-hot.js";

export interface ArbiterParams {
  readonly type: HdlType;
  readonly n: number;
}

/** One-hot grant of the first set bit of `req` in the order `order` (indices). */
function firstOf(req: readonly Signal[], order: readonly number[]): Signal[] {
  const grant = req.map(() => constant(0, Bool()) as Signal);
  let taken: Signal = constant(0, Bool());
  for (const i of order) {
    grant[i] = grant[i]!.or(req[i]!.and(taken.not()));
    taken = taken.or(req[i]!);
  }
  return grant;
}

function ports(p: ArbiterParams) {
  requireParam(Number.isInteger(p.n) && p.n >= 1, `n must be a positive integer, got ${p.n}`);
  const input = Input(Vec(p.n, Decoupled(p.type)), { name: "in" });
  const out = Output(Decoupled(p.type));
  const chosen = Output(UInt(log2Ceil(p.n)));
  return { input, out, chosen };
}

/** Drives out, chosen and the readies from a one-hot grant. */
function connect(io: ReturnType<typeof ports>, grant: readonly Signal[]): Signal {
  const { input, out, chosen } = io;
  const n = grant.length;
  const valid = grant.reduce((a, b) => a.or(b));
  out.valid.assign(valid);
  unpackInto(Mux1H(grant, [...input].map((x) => pack(x.bits))), out.bits);
  let idx: Signal = constant(n - 1, UInt(log2Ceil(n)));
  for (let i = n - 2; i >= 0; i--) idx = mux(grant[i]!, constant(i, UInt(log2Ceil(n))), idx);
  chosen.assign(idx);
  [...input].forEach((x, i) => x.ready.assign(grant[i]!.and(out.ready)));
  return valid.and(out.ready);
}

export const Arbiter = defineModule("Arbiter", (p: ArbiterParams) => {
  const io = ports(p);
  const req = [...io.input].map((x) => x.valid as Signal);
  connect(io, firstOf(req, req.map((_, i) => i)));
  return { in: io.input, out: io.out, chosen: io.chosen };
});

export const RRArbiter = defineModule("RRArbiter", (p: ArbiterParams) => {
  const io = ports(p);
  const n = p.n;
  const last = Reg(UInt(log2Ceil(n)), { init: n - 1, name: "last_grant" });
  const req = [...io.input].map((x) => x.valid as Signal);
  // inputs after the last grant first: mask them in, take the first; else the first of all
  const after = req.map((r, i) => (i === 0 ? constant(0, Bool()) : r.and(last.lt(i))));
  const anyAfter = after.reduce((a, b) => a.or(b));
  const order = req.map((_, i) => i);
  const g1 = firstOf(after, order);
  const g0 = firstOf(req, order);
  const grant = g1.map((g, i) => mux(anyAfter, g, g0[i]!));
  const fire = connect(io, grant);
  when(fire, () => last.assign(io.chosen));
  return { in: io.input, out: io.out, chosen: io.chosen };
});

