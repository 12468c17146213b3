/**
 * BurstWriter { port, burstBeats?, countBits = 24, strobes = false }: writes the beats of its
 * `in` stream to `beats` consecutive beats from byte address `addr` of a `BurstPort`.
 *
 * Ports: `cmd` (Decoupled { addr, beats }, in; taken once the previous command's beats are all
 * sent, without waiting for its acknowledgements), `in` (Decoupled beat data, in;
 * with `strobes`, Decoupled { data, strb }: the beat's byte enables; without, every byte is written),
 * `aw`, `w` (Decoupled, out) and `b` (Valid, in): the write half of a BurstPort; `busy` (a command
 * taken and not every burst of it acknowledged on `b`).
 *
 * The command is cut into bursts of `burstBeats` (default: the port's longest) and a shorter
 * last one. Write commands run ahead of the data (every burst's `aw` goes out as soon as the
 * memory takes it); `in` passes to `w` combinationally, one beat per clock, `last` on each
 * burst's final beat. When `busy` falls every word is in memory, so a later read sees it.
 * `aw` keeps the stream rule; `w` keeps it when `in` does (both asserted, assertStreamRules).
 */
import { Bool, Bundle, Decoupled, Input, Output, Reg, UInt, constant, defineModule, log2Ceil, mux, requireParam, when, type Signal, type Var } from "../core/index.js";
import { BurstCommand, BurstWriteBeat, maxBurstBeats, type BurstPortParams } from "./burst.js";
import { TransferCommand } from "./burst-reader.js";
import { assertStreamRules } from "./stream-rules.js";
import { Valid } from "./valid.js";

export interface BurstWriterParams {
  readonly port: BurstPortParams;
  readonly burstBeats?: number;
  readonly countBits?: number;
  /** `in` carries byte enables with each beat */
  readonly strobes?: boolean;
}

export const BurstWriter = defineModule("BurstWriter", (p: BurstWriterParams) => {
  const burst = p.burstBeats ?? maxBurstBeats(p.port);
  requireParam(Number.isInteger(burst) && burst >= 1 && burst <= maxBurstBeats(p.port), `burstBeats must be an integer in 1..${maxBurstBeats(p.port)}, got ${burst}`);
  const countBits = p.countBits ?? 24;
  requireParam(Number.isInteger(countBits) && countBits >= log2Ceil(burst + 1), `countBits = ${countBits} cannot count one burst of ${burst} beats: use at least ${log2Ceil(burst + 1)}, or shorter bursts (burstBeats)`);
  const cmd = Input(Decoupled(TransferCommand(p.port, countBits)));
  const beatType = p.strobes ? Bundle({ data: UInt(8 * p.port.dataBytes), strb: UInt(p.port.dataBytes) }) : UInt(8 * p.port.dataBytes);
  const input = Input(Decoupled(beatType), { name: "in" });
  const aw = Output(Decoupled(BurstCommand(p.port)));
  const w = Output(Decoupled(BurstWriteBeat(p.port)));
  const b = Input(Valid(Bool()));
  const busy = Output(Bool());
  const burstBits = log2Ceil(burst + 1);
  const cut = (left: Signal): Signal => mux(left.lt(burst), left, constant(burst, UInt(countBits))).resize(burstBits);

  // ---- write commands ----
  const nextAddr = Reg(UInt(p.port.addrBits), { init: 0 });
  const awLeft = Reg(UInt(countBits), { init: 0 }); // beats whose burst is not yet commanded
  const awBurst = cut(awLeft);
  aw.valid.assign(awLeft.neq(0));
  aw.bits.addr.assign(nextAddr);
  aw.bits.len.assign(awBurst.subWrap(1).resize(aw.bits.len.width));
  const commanded = aw.valid.and(aw.ready);

  // ---- data: wLeft beats of the command to send, burstLeft of the current burst ----
  const wLeft = Reg(UInt(countBits), { init: 0 });
  const burstLeft = Reg(UInt(burstBits), { init: 0 });
  const remainingInBurst = mux(burstLeft.eq(0), cut(wLeft), burstLeft);
  w.valid.assign(input.valid.and(wLeft.neq(0)));
  if (p.strobes) {
    const bits = input.bits as unknown as { data: Var; strb: Var };
    w.bits.data.assign(bits.data);
    w.bits.strb.assign(bits.strb);
  } else {
    w.bits.data.assign(input.bits as unknown as Var);
    w.bits.strb.assign(constant(2 ** p.port.dataBytes - 1, UInt(p.port.dataBytes)));
  }
  w.bits.last.assign(remainingInBurst.eq(1));
  input.ready.assign(w.ready.and(wLeft.neq(0)));
  const sent = w.valid.and(w.ready);

  // ---- acknowledgements ----
  const maxBursts = Math.ceil((2 ** countBits - 1) / burst);
  const unackedBits = log2Ceil(maxBursts + 1);
  const unacked = Reg(UInt(unackedBits), { init: 0 });
  unacked.assign(unacked.add(commanded.zext(unackedBits)).subWrap(b.valid.zext(unackedBits + 1)).resize(unackedBits));

  cmd.ready.assign(awLeft.eq(0).and(wLeft.eq(0)));
  when(cmd.valid.and(cmd.ready), () => {
    nextAddr.assign(cmd.bits.addr);
    awLeft.assign(cmd.bits.beats);
    wLeft.assign(cmd.bits.beats);
  }).otherwise(() => {
    when(commanded, () => {
      nextAddr.assign(nextAddr.addWrap(awBurst.mul(p.port.dataBytes).resize(p.port.addrBits)));
      awLeft.assign(awLeft.subWrap(awBurst.zext(countBits)));
    });
    when(sent, () => {
      wLeft.assign(wLeft.subWrap(1));
      burstLeft.assign(remainingInBurst.subWrap(1));
    });
  });
  busy.assign(awLeft.neq(0).or(wLeft.neq(0)).or(unacked.neq(0)));
  assertStreamRules(aw, "aw");
  assertStreamRules(w, "w"); // given that `in` holds its beat until ready (w passes it through)
  return { cmd, in: input, aw, w, b, busy };
});

/** The `in` port of a BurstWriter with `strobes`: each beat's data and byte enables. */
export interface StrobedBeatStream {
  readonly valid: Var;
  readonly ready: Var;
  readonly bits: { readonly data: Var; readonly strb: Var };
}

/**
 * A BurstWriter with `strobes`, its `in` port typed as { data, strb } (BurstWriter.instance's
 * `in` has the type of either form).
 */
export function burstWriterWithStrobes(p: Omit<BurstWriterParams, "strobes">, opts?: { name?: string }) {
  const writer = BurstWriter.instance({ ...p, strobes: true }, opts);
  return writer as unknown as Omit<typeof writer, "in"> & { readonly in: StrobedBeatStream };
}
