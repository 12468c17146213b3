/**
 * EngineBench: an EngineCore and its external memory (a BurstMemory model loaded at run time from
 * the plusarg `engine_mem`, so one compiled model serves every network and image set), for
 * simulation (network-driver.ts). Besides the core's `cmd`, `busy` and `overrun`:
 *
 *   layers     layers finished (the core's `done` pulses), so the host can step in chunks
 *   clocks     the last finished layer's clocks: busy clocks from the command taken to `done`
 *   rdBeats, wrBeats   memory beats read and written since reset (r and w handshakes)
 *   memError   the memory model's error flag (a request it cannot serve)
 *   dbg_addr, dbg_data the memory read back by beat (combinational), for the host to compare maps
 */
import { Bool, Decoupled, Input, Output, Reg, UInt, connect, defineModule, log2Ceil, when } from "../../core";
import { BurstMemory } from "../../lib";
import { EngineCore, type EngineCoreParams } from "./engine-core";
import { engineCommandType } from "./engine-command";

export interface EngineBenchParams {
  readonly core: EngineCoreParams;
  /** memory size in beats */
  readonly words: number;
  readonly bytesPerCycle: number;
  readonly latency: number;
}

/** Width of the bench's counters. */
const COUNT_BITS = 40;

export const EngineBench = defineModule("EngineBench", (p: EngineBenchParams) => {
  const cmd = Input(Decoupled(engineCommandType(p.core)));
  const busy = Output(Bool());
  const overrun = Output(Bool());
  const memError = Output(Bool());
  const layers = Output(UInt(16));
  const clocks = Output(UInt(COUNT_BITS));
  const rdBeats = Output(UInt(COUNT_BITS));
  const wrBeats = Output(UInt(COUNT_BITS));
  const dbgAddr = Input(UInt(log2Ceil(p.words)), { name: "dbg_addr" });
  const dbgData = Output(UInt(8 * p.core.port.dataBytes), { name: "dbg_data" });

  const core = EngineCore.instance(p.core);
  const mem = BurstMemory.instance({ port: p.core.port, words: p.words, bytesPerCycle: p.bytesPerCycle, latency: p.latency, initPlusarg: "engine_mem" });
  connect(core.cmd, cmd);
  connect(mem.port, core.port);
  busy.assign(core.busy);
  overrun.assign(core.overrun);
  memError.assign(mem.error);
  mem.dbgAddr.assign(dbgAddr);
  mem.dbgWe.assign(0);
  mem.dbgWdata.assign(0);
  dbgData.assign(mem.dbgData);

  const count = Reg(UInt(COUNT_BITS), { init: 0, name: "busy_clocks" });
  const last = Reg(UInt(COUNT_BITS), { init: 0, name: "last_clocks" });
  const done = Reg(UInt(16), { init: 0, name: "layers_done" });
  const taken = cmd.valid.and(cmd.ready);
  when(taken, () => count.assign(1));
  when(taken.not().and(core.busy), () => count.assign(count.addWrap(1)));
  when(core.done, () => {
    last.assign(count);
    done.assign(done.addWrap(1));
  });
  layers.assign(done);
  clocks.assign(last);
  const rd = Reg(UInt(COUNT_BITS), { init: 0, name: "rd_beats" });
  const wr = Reg(UInt(COUNT_BITS), { init: 0, name: "wr_beats" });
  when(mem.port.r.valid.and(mem.port.r.ready), () => rd.assign(rd.addWrap(1)));
  when(mem.port.w.valid.and(mem.port.w.ready), () => wr.assign(wr.addWrap(1)));
  rdBeats.assign(rd);
  wrBeats.assign(wr);
  return { cmd, busy, overrun, memError, layers, clocks, rdBeats, wrBeats, dbgAddr, dbgData };
});
