/**
 * EngineBench: an Engine (command list + EngineCore, engine.ts) and its external memory (a
 * BurstMemory model loaded at run time from the plusarg `engine_mem`, so one compiled model serves
 * every network and image set), for simulation (network-driver.ts). Besides the engine's `ctrl`,
 * `busy` and `overrun`:
 *
 *   runs       command lists finished (the engine's `done` pulses), so the host can step in chunks
 *   clocks     the last list's clocks: from its start write to its `done`
 *   rdBeats, wrBeats   memory beats read and written since reset (r and w handshakes)
 *   memError   the memory model's error flag (a request it cannot serve)
 *   dbg_addr, dbg_data the memory read back by beat (combinational), for the host to compare maps
 */
import { Bool, Bundle, Input, Output, Reg, UInt, connect, defineModule, log2Ceil, when } from "../../core";
import { BurstMemory, Valid } from "../../lib";
import { Engine, engineControlMap, type EngineParams } from "./engine";

export interface EngineBenchParams {
  readonly engine: EngineParams;
  /** memory size in beats */
  readonly words: number;
  readonly bytesPerCycle: number;
  readonly latency: number;
}

/** Width of the bench's counters. */
const COUNT_BITS = 40;

export const EngineBench = defineModule("EngineBench", (p: EngineBenchParams) => {
  const map = engineControlMap(p.engine);
  const ctrl = Input(Valid(Bundle({ addr: UInt(map.addrBits), data: UInt(32) })));
  const busy = Output(Bool());
  const overrun = Output(Bool());
  const memError = Output(Bool());
  const runs = Output(UInt(16));
  const clocks = Output(UInt(COUNT_BITS));
  const rdBeats = Output(UInt(COUNT_BITS));
  const wrBeats = Output(UInt(COUNT_BITS));
  const dbgAddr = Input(UInt(log2Ceil(p.words)), { name: "dbg_addr" });
  const dbgData = Output(UInt(8 * p.engine.core.port.dataBytes), { name: "dbg_data" });

  const engine = Engine.instance(p.engine);
  const mem = BurstMemory.instance({ port: p.engine.core.port, words: p.words, bytesPerCycle: p.bytesPerCycle, latency: p.latency, initPlusarg: "engine_mem" });
  connect(engine.ctrl, ctrl);
  connect(mem.port, engine.port);
  busy.assign(engine.busy);
  overrun.assign(engine.overrun);
  memError.assign(mem.error);
  mem.dbgAddr.assign(dbgAddr);
  mem.dbgWe.assign(0);
  mem.dbgWdata.assign(0);
  dbgData.assign(mem.dbgData);

  const count = Reg(UInt(COUNT_BITS), { init: 0, name: "run_clocks" });
  const last = Reg(UInt(COUNT_BITS), { init: 0, name: "last_clocks" });
  const finished = Reg(UInt(16), { init: 0, name: "runs_done" });
  const start = ctrl.valid.and(ctrl.bits.addr.eq(map.start)).and(engine.busy.not());
  when(start, () => count.assign(1));
  when(start.not().and(engine.busy), () => count.assign(count.addWrap(1)));
  when(engine.done, () => {
    last.assign(count);
    finished.assign(finished.addWrap(1));
  });
  runs.assign(finished);
  clocks.assign(last);
  const rd = Reg(UInt(COUNT_BITS), { init: 0, name: "rd_beats" });
  const wr = Reg(UInt(COUNT_BITS), { init: 0, name: "wr_beats" });
  when(mem.port.r.valid.and(mem.port.r.ready), () => rd.assign(rd.addWrap(1)));
  when(mem.port.w.valid.and(mem.port.w.ready), () => wr.assign(wr.addWrap(1)));
  rdBeats.assign(rd);
  wrBeats.assign(wr);
  return { ctrl, busy, overrun, memError, runs, clocks, rdBeats, wrBeats, dbgAddr, dbgData };
});
