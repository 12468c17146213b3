/**
 * Wiring shared by the testbench tops that place a BurstMemory: its debug port brought out as
 * the top's `dbg_*` ports, and the idle half of its BurstPort when a test uses only reads or
 * only writes. Call inside a module body.
 */
import { Bool, Input, Output, UInt, type Var } from "../../hdl/core";

interface MemoryInstance {
  readonly dbgAddr: Var;
  readonly dbgWe: Var;
  readonly dbgWdata: Var;
  readonly dbgData: Var;
}

/** The memory's debug port as the top's dbg_addr, dbg_we, dbg_wdata (in) and dbg_data (out). */
export function debugPort(mem: MemoryInstance, addrBits: number, dataBits: number): { dbgAddr: Var; dbgWe: Var; dbgWdata: Var; dbgData: Var } {
  const dbgAddr = Input(UInt(addrBits), { name: "dbg_addr" });
  const dbgWe = Input(Bool(), { name: "dbg_we" });
  const dbgWdata = Input(UInt(dataBits), { name: "dbg_wdata" });
  const dbgData = Output(UInt(dataBits), { name: "dbg_data" });
  mem.dbgAddr.assign(dbgAddr);
  mem.dbgWe.assign(dbgWe);
  mem.dbgWdata.assign(dbgWdata);
  dbgData.assign(mem.dbgData);
  return { dbgAddr, dbgWe, dbgWdata, dbgData };
}

interface Channel {
  readonly valid: Var;
  readonly ready: Var;
  /** a bundle of ground fields (command or beat) */
  readonly bits: object;
}

/** No read commands, and no read data taken. */
export function idleRead(port: { readonly ar: Channel; readonly r: Channel }): void {
  port.ar.valid.assign(0);
  for (const f of Object.values(port.ar.bits) as Var[]) f.assign(0);
  port.r.ready.assign(0);
}

/** No write commands or data. */
export function idleWrite(port: { readonly aw: Channel; readonly w: Channel }): void {
  port.aw.valid.assign(0);
  for (const f of Object.values(port.aw.bits) as Var[]) f.assign(0);
  port.w.valid.assign(0);
  for (const f of Object.values(port.w.bits) as Var[]) f.assign(0);
}
