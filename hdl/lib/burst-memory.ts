/**
 * BurstMemory { port, words, bytesPerCycle, latency, outstanding = 4, initPlusarg = "mem" }: a
 * cycle-accurate model of external memory behind a `BurstPort`, for testbenches (it is plain
 * synthesizable logic, but its storage is one large memory: not for an FPGA build).
 *
 * Ports: `port` (Input(BurstPort): the memory side), a debug port for the testbench (`dbg_addr`
 * a beat index, `dbg_data` the beat read asynchronously; `dbg_we` + `dbg_wdata` write it on the
 * edge), counters `read_beats` and `write_beats` (32 bits, wrapping), and `error` (sticky: a
 * misaligned address, or a `w.last` that disagrees with the burst's length).
 *
 * Timing:
 * - Latency: a read burst accepted on `ar` at edge t has its first beat valid on `r` after edge
 *   t + latency at the earliest. `ar` and `aw` each take one command per clock while fewer than
 *   `outstanding` bursts of their kind wait.
 * - Bandwidth: read and write beats share `bytesPerCycle` bytes per clock on average (a number
 *   with at most 256 in its denominator, e.g. 2.5 or 64): a credit grows by bytesPerCycle every
 *   clock up to one beat plus one clock's worth past what a beat needs, and every beat spends
 *   `dataBytes`. With credit for one beat only, reads and writes alternate.
 * - `b` pulses on the clock after the edge that took a write burst's last beat.
 * - Writes honour `w.strb`: a byte whose strobe is low keeps its old value.
 * Contents: `+<initPlusarg>=FILE` ($readmemh of beats) at start, else 0 on Verilator and X on
 * Icarus; the debug port reads and writes them.
 */
import { Bool, Input, Mem, Output, Reg, UInt, cat, constant, defineModule, replicate, log2Ceil, mux, requireParam, when, type Signal } from "../core/index.js";
import { BurstCommand, BurstPort, burstLenBits, type BurstPortParams } from "./burst.js";
import { queue } from "./queue.js";
import { assertStreamRules } from "./stream-rules.js";

export interface BurstMemoryParams {
  readonly port: BurstPortParams;
  /** size in beats */
  readonly words: number;
  /** sustained bandwidth shared by reads and writes, bytes per clock */
  readonly bytesPerCycle: number;
  /** clocks from a read command to its first beat (>= 1) */
  readonly latency: number;
  /** read (and write) bursts accepted before the first has finished; default 4 */
  readonly outstanding?: number;
  /** the simulation argument that names the initial contents; default "mem" */
  readonly initPlusarg?: string;
}

/** bytesPerCycle as num / den with den <= 256, or undefined when there is none. */
export function bandwidthFraction(bytesPerCycle: number): { num: number; den: number } | undefined {
  for (let den = 1; den <= 256; den++) {
    const num = Math.round(bytesPerCycle * den);
    if (num > 0 && Math.abs(num / den - bytesPerCycle) < 1e-9 * Math.max(1, bytesPerCycle)) return { num, den };
  }
  return undefined;
}

const TIME_BITS = 32;

export const BurstMemory = defineModule("BurstMemory", (p: BurstMemoryParams) => {
  const { dataBytes, addrBits } = p.port;
  requireParam(Number.isInteger(p.words) && p.words >= 2, `words must be an integer >= 2, got ${p.words}`);
  requireParam(Number.isInteger(p.latency) && p.latency >= 1 && p.latency < 2 ** 20, `latency must be an integer in 1..2^20, got ${p.latency}`);
  const outstanding = p.outstanding ?? 4;
  requireParam(Number.isInteger(outstanding) && outstanding >= 1 && outstanding <= 32, `outstanding must be an integer in 1..32, got ${outstanding}`);
  const frac = bandwidthFraction(p.bytesPerCycle);
  requireParam(frac !== undefined, `bytesPerCycle must be a positive number with a denominator of at most 256, got ${p.bytesPerCycle}`);
  const { num, den } = frac!;
  const port = Input(BurstPort(p.port), { name: "port" });
  const dbgAddr = Input(UInt(log2Ceil(p.words)), { name: "dbg_addr" });
  const dbgWe = Input(Bool(), { name: "dbg_we" });
  const dbgWdata = Input(UInt(8 * dataBytes), { name: "dbg_wdata" });
  const dbgData = Output(UInt(8 * dataBytes), { name: "dbg_data" });
  const readBeats = Output(UInt(32), { name: "read_beats" });
  const writeBeats = Output(UInt(32), { name: "write_beats" });
  const error = Output(Bool(), { name: "error" });

  const storage = Mem(p.words, UInt(8 * dataBytes), { initPlusarg: p.initPlusarg ?? "mem", name: "storage" });
  const offsetBits = log2Ceil(dataBytes);
  const indexBits = log2Ceil(p.words);
  // the beat index of a byte address (its bits above the offset, cut or zero-extended to the index)
  const beatIndex = (addr: Signal): Signal =>
    addrBits - offsetBits >= indexBits ? addr.bits(offsetBits + indexBits - 1, offsetBits) : addr.bits(addrBits - 1, offsetBits).zext(indexBits);
  const misaligned = (addr: Signal): Signal => (offsetBits === 0 ? constant(0, Bool()) : addr.bits(offsetBits - 1, 0).orR());
  const now = Reg(UInt(TIME_BITS), { init: 0 });
  now.assign(now.addWrap(1));
  const errorFlag = Reg(Bool(), { init: 0 });
  error.assign(errorFlag);

  // ---- bandwidth: a credit in units of 1/den byte ----
  const beatCost = dataBytes * den;
  const cap = Math.max(num, beatCost) + num;
  const creditBits = log2Ceil(cap + 1) + 1;
  const credit = Reg(UInt(creditBits), { init: Math.min(cap, 2 * beatCost) });
  const canOne = credit.ge(beatCost);
  const canTwo = credit.ge(2 * beatCost);
  const readFirst = Reg(Bool(), { init: 1 }); // who gets a lone beat's credit: alternates

  // ---- read commands: a queue of { addr, len, due } ----
  const lenBits = burstLenBits(p.port);
  const arQ = queue({ type: BurstCommand(p.port), depth: outstanding }, { name: "ar_queue" });
  const dueQ = queue({ type: UInt(TIME_BITS), depth: outstanding }, { name: "due_queue" });
  arQ.enq.valid.assign(port.ar.valid);
  arQ.enq.bits.addr.assign(port.ar.bits.addr);
  arQ.enq.bits.len.assign(port.ar.bits.len);
  dueQ.enq.valid.assign(port.ar.valid);
  dueQ.enq.bits.assign(now.addWrap(p.latency));
  port.ar.ready.assign(arQ.enq.ready);
  const rBeat = Reg(UInt(lenBits), { init: 0 });
  const rValid = Reg(Bool(), { init: 0 });
  const rLast = Reg(Bool(), { init: 0 });
  const due = now.subWrap(dueQ.deq.bits).msb().not(); // now >= due, modulo 2^32
  const readWants = arQ.deq.valid.and(due).and(rValid.not().or(port.r.ready));

  // ---- write commands ----
  const awQ = queue({ type: BurstCommand(p.port), depth: outstanding }, { name: "aw_queue" });
  awQ.enq.valid.assign(port.aw.valid);
  awQ.enq.bits.addr.assign(port.aw.bits.addr);
  awQ.enq.bits.len.assign(port.aw.bits.len);
  port.aw.ready.assign(awQ.enq.ready);
  const wBeat = Reg(UInt(lenBits), { init: 0 });
  const writeOpen = awQ.deq.valid;

  // ---- arbitration of the credit ----
  const readGo = readWants.and(canTwo.or(canOne.and(readFirst.or(writeOpen.not()))));
  const writeAllowed = writeOpen.and(canTwo.or(canOne.and(readFirst.not().or(readWants.not()))));
  port.w.ready.assign(writeAllowed);
  const writeGo = writeAllowed.and(port.w.valid);
  const cost = (beats: number): Signal => constant(beats * beatCost, UInt(creditBits));
  const spent = mux(readGo.and(writeGo), cost(2), mux(readGo.or(writeGo), cost(1), cost(0)));
  const refilled = credit.sub(spent).add(num);
  credit.assign(mux(refilled.gt(cap), cap, refilled).resize(creditBits));
  when(readGo.and(writeGo.not()), () => readFirst.assign(0)).elsewhen(writeGo.and(readGo.not()), () => readFirst.assign(1));

  // ---- read data: one registered beat ----
  const rAddr = beatIndex(arQ.deq.bits.addr).addWrap(rBeat.resize(indexBits));
  port.r.bits.data.assign(storage.readSync(rAddr, { enable: readGo }));
  port.r.bits.last.assign(rLast);
  port.r.valid.assign(rValid);
  const rEnd = rBeat.eq(arQ.deq.bits.len);
  arQ.deq.ready.assign(readGo.and(rEnd));
  dueQ.deq.ready.assign(readGo.and(rEnd));
  when(readGo, () => {
    rValid.assign(1);
    rLast.assign(rEnd);
    rBeat.assign(mux(rEnd, 0, rBeat.addWrap(1)));
  }).elsewhen(port.r.ready, () => rValid.assign(0));

  // ---- write data ----
  const wAddr = beatIndex(awQ.deq.bits.addr).addWrap(wBeat.resize(indexBits));
  const wEnd = wBeat.eq(awQ.deq.bits.len);
  const byteMask = cat(...Array.from({ length: dataBytes }, (_, j) => replicate(port.w.bits.strb.bit(dataBytes - 1 - j), 8)));
  const merged = port.w.bits.data.and(byteMask).or(storage.readAsync(wAddr).and(byteMask.not()));
  when(writeGo, () => {
    storage.write(wAddr, merged);
    wBeat.assign(mux(wEnd, 0, wBeat.addWrap(1)));
  });
  awQ.deq.ready.assign(writeGo.and(wEnd));
  const bPulse = Reg(Bool(), { init: 0 });
  bPulse.assign(writeGo.and(wEnd));
  port.b.valid.assign(bPulse);
  port.b.bits.assign(0);
  assertStreamRules(port.r, "r");

  // ---- checks and counters ----
  const badCommand = port.ar.valid.and(port.ar.ready).and(misaligned(port.ar.bits.addr)).or(port.aw.valid.and(port.aw.ready).and(misaligned(port.aw.bits.addr)));
  const badLast = writeGo.and(port.w.bits.last.neq(wEnd));
  when(badCommand.or(badLast), () => errorFlag.assign(1));
  const reads = Reg(UInt(32), { init: 0 });
  const writes = Reg(UInt(32), { init: 0 });
  when(readGo, () => reads.assign(reads.addWrap(1)));
  when(writeGo, () => writes.assign(writes.addWrap(1)));
  readBeats.assign(reads);
  writeBeats.assign(writes);

  // ---- the testbench's port ----
  dbgData.assign(storage.readAsync(dbgAddr));
  when(dbgWe, () => storage.write(dbgAddr, dbgWdata));
  return { port, dbgAddr, dbgWe, dbgWdata, dbgData, readBeats, writeBeats, error };
});
