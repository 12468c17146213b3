/**
 * Engine: the SPEC2 engine as a whole, a command list (command-list.ts) in front of EngineCore
 * (engine-core.ts). The host writes a list of layer commands (a pass of a layer each,
 * `engineCommand`, packed into 32-bit words by `packEngineCommand`) through the control port and
 * starts it; the engine fetches each command, runs it from and to external memory, and takes the
 * next after the previous one's output is written, so a whole network (every pass of every layer
 * of every image) runs from one start.
 *
 * Ports
 *   ctrl (Valid { addr, data: UInt(32) }, in): the control writes (`engineControlMap`,
 *     `engineProgram` for a list of commands).
 *   port (BurstPort, out): the external memory.
 *   busy (out): a list is running; index (out): the command running; done (out): one clock after
 *     the last command's output is written.
 *   commandDone (out): one clock when a command's output is written (EngineCore's done).
 *   overrun (out): EngineCore's (never under its pacing rule).
 *
 * Command words: the fields of `engineCommandType` in `engineCommandFields` order, from bit 0 of
 * word 0 up, each at its width (two's complement for macShift).
 */
import { Bool, Bundle, Input, Output, UInt, cat, connect, defineModule, log2Ceil, type Signal, type Var } from "../../core";
import { BurstPort, Valid } from "../../lib";
import { commandList, commandListMap, type ControlMap } from "./command-list";
import { EngineCore } from "./engine-core";
import { engineCommandFields, engineCommandType, type EngineCommand, type EngineCoreParams } from "./engine-command";

export interface EngineParams {
  readonly core: EngineCoreParams;
  /** commands the list holds (passes x layers x images of one run) */
  readonly maxCommands: number;
}

/** Each command field's width and signedness, in packing order. */
function commandLayout(p: EngineCoreParams): { name: string; width: number; signed: boolean }[] {
  const fields = engineCommandType(p).fields as Record<string, { kind: string; width: number }>;
  return engineCommandFields(p).map((name) => ({ name, width: fields[name]!.width, signed: fields[name]!.kind === "sint" }));
}

/** 32-bit words of a packed command. */
export function engineCommandWords(p: EngineCoreParams): number {
  return Math.ceil(commandLayout(p).reduce((s, f) => s + f.width, 0) / 32);
}

export function engineControlMap(p: EngineParams): ControlMap {
  return commandListMap({ maxEntries: p.maxCommands, entryWords: engineCommandWords(p.core) });
}

/** A command as its list words (the host side). */
export function packEngineCommand(p: EngineCoreParams, cmd: EngineCommand): number[] {
  let bits = 0n;
  let at = 0n;
  for (const f of commandLayout(p)) {
    const v = BigInt((cmd as Record<string, number>)[f.name]!);
    bits |= BigInt.asUintN(f.width, v) << at;
    at += BigInt(f.width);
  }
  return Array.from({ length: engineCommandWords(p) }, (_, j) => Number((bits >> BigInt(32 * j)) & 0xffffffffn));
}

export interface ControlWrite {
  readonly addr: number;
  readonly data: number;
}

/** The control writes that load `commands` and start them; an Error when the list is over maxCommands. */
export function engineProgram(p: EngineParams, commands: readonly EngineCommand[]): ControlWrite[] {
  if (commands.length === 0 || commands.length > p.maxCommands) throw new Error(`engine program: ${commands.length} commands (1..maxCommands = ${p.maxCommands})`);
  const map = engineControlMap(p);
  const writes = commands.flatMap((c, i) => packEngineCommand(p.core, c).map((data, j) => ({ addr: map.list + map.stride * i + j, data })));
  return [...writes, { addr: map.layers, data: commands.length }, { addr: map.start, data: 1 }];
}

export const Engine = defineModule(
  "Engine",
  (p: EngineParams) => {
    const map = engineControlMap(p);
    const ctrl = Input(Valid(Bundle({ addr: UInt(map.addrBits), data: UInt(32) })));
    const port = Output(BurstPort(p.core.port));
    const busy = Output(Bool());
    const index = Output(UInt(log2Ceil(Math.max(2, p.maxCommands))));
    const done = Output(Bool());
    const commandDone = Output(Bool());
    const overrun = Output(Bool());
    const core = EngineCore.instance(p.core);
    const list = commandList({ maxEntries: p.maxCommands, entryWords: engineCommandWords(p.core) }, ctrl, core.cmd.ready, core.done);
    core.cmd.valid.assign(list.offered);
    const words: Signal[] = Array.from({ length: engineCommandWords(p.core) }, (_, j) => list.words.at(j));
    const all = words.length === 1 ? words[0]! : cat(...words.slice().reverse());
    let at = 0;
    const bits = core.cmd.bits as unknown as Record<string, Var>;
    for (const f of commandLayout(p.core)) {
      const raw = all.bits(at + f.width - 1, at);
      bits[f.name]!.assign(f.signed ? raw.asSInt() : raw);
      at += f.width;
    }
    connect(port, core.port);
    busy.assign(list.busy);
    index.assign(list.index);
    done.assign(list.done);
    commandDone.assign(core.done);
    overrun.assign(core.overrun);
    return { ctrl, port, busy, index, done, commandDone, overrun };
  },
  { moduleName: (p) => `Engine_K${p.core.layer.K}k${p.core.layer.k}_P${p.core.pOut}x${p.core.pIn}_c${p.core.maxCin}x${p.core.maxCout}_${p.core.maxHeight}x${p.core.maxWidth}_n${p.maxCommands}` },
);
