/**
 * The PE array's MAC issue (a part of PeArray, pe-array.ts): one schedule address per cycle for
 * all PEs, when every group has the round's input channel in its X bank (and, at a tile's first
 * address, the tile's accumulator bank is drained). Two sources of the schedule:
 *   romIssue       the address `ra` of the kernel ROMs, the control bits in a ROM beside them;
 *                  the rounds and the channels of the last round are the layer's (compile time)
 *   streamedIssue  the WeightBuffer's read side (weight-buffer.ts): the control bits, and the
 *                  groups with a channel in the round, come with each streamed row (run time)
 * Both flip the X bank `mb` after a round's last address and the accumulator bank `ab` after a
 * tile's last.
 */
import { Bool, Reg, Rom, UInt, log2Ceil, mux, when, type Signal, type Var } from "../core";
import type { Schedule } from "./schedule";

/** What the rest of the array needs of the issue. */
export interface IssueControl {
  readonly issue: Signal;
  /** X bank of the round (global round parity) */
  readonly mb: Signal;
  /** accumulator bank of the tile */
  readonly ab: Signal;
  readonly roundLast: Signal;
  readonly tileLast: Signal;
}

/** The issue from the kernel ROMs; `ra` is their address. */
export function romIssue(s: Schedule, loaded: readonly (readonly Signal[])[], accFull: readonly Signal[]): IssueControl & { ra: Signal } {
  const { pIn, cin } = s;
  const romDepth = Math.max(2, s.depth);
  const ra = Reg(UInt(log2Ceil(romDepth)), { init: 0 });
  const mb = Reg(Bool(), { init: 0 }); // X bank of the round (global round parity)
  const ab = Reg(Bool(), { init: 0 }); // accumulator bank of the tile
  const round = Reg(UInt(log2Ceil(Math.max(2, s.rounds))), { init: 0 });
  const ctlWords = s.ctl.map((w) => (w.roundLast ? 1 : 0) | (w.tileLast ? 2 : 0));
  while (ctlWords.length < romDepth) ctlWords.push(0);
  const ctl = Rom(UInt(2), ctlWords).readAsync(ra);
  const roundLast = ctl.bit(0);
  const tileLast = ctl.bit(1);
  // groups without a channel in the last round (Cin not a multiple of pIn) count as loaded
  const lastRoundChannels = cin - (s.rounds - 1) * pIn;
  const xReady = loaded
    .map((flags, pi) => {
      const ready = mux(mb, flags[1]!, flags[0]!);
      return pi < lastRoundChannels ? ready : ready.or(round.eq(s.rounds - 1));
    })
    .reduce((a, b) => a.and(b));
  const issue = xReady.and(ra.neq(0).or(mux(ab, accFull[1]!, accFull[0]!).not())).named("issue");
  when(issue, () => {
    when(roundLast, () => {
      mb.assign(mb.not());
      round.assign(mux(tileLast, 0, round.addWrap(1)));
    });
    when(tileLast, () => {
      ra.assign(0);
      ab.assign(ab.not());
    }).otherwise(() => ra.assign(ra.addWrap(1)));
  });
  return { issue, mb, ab, roundLast, tileLast, ra };
}

/** The weight buffer's read side as the issue sees it. */
export interface StreamedSchedule {
  readonly ready: Signal;
  readonly tileLast: Signal;
  /** roundLast in bit 0, the round's groups above (weight-row.ts) */
  readonly ctl: Signal;
  readonly issue: Var;
}

/** The issue from a weight buffer; `cleared`: the PEs' keep bits are cleared (pe.ts trackKeep). */
export function streamedIssue(buf: StreamedSchedule, loaded: readonly (readonly Signal[])[], accFull: readonly Signal[], cleared: Signal): IssueControl {
  const mb = Reg(Bool(), { init: 0 });
  const ab = Reg(Bool(), { init: 0 });
  const tileStart = Reg(Bool(), { init: 1 }); // the current address is a tile's first
  const roundLast = buf.ctl.bit(0);
  const tileLast = buf.tileLast;
  const groups = buf.ctl.bits(buf.ctl.width - 1, 1);
  // groups pi >= groups have no channel in this round: they count as loaded
  const xReady = loaded.map((flags, pi) => mux(mb, flags[1]!, flags[0]!).or(groups.le(pi))).reduce((a, b) => a.and(b));
  const accFree = tileStart.not().or(mux(ab, accFull[1]!, accFull[0]!).not());
  const issue = buf.ready.and(cleared).and(xReady).and(accFree).named("issue");
  buf.issue.assign(issue);
  when(issue, () => {
    when(roundLast, () => mb.assign(mb.not()));
    when(tileLast, () => ab.assign(ab.not()));
    tileStart.assign(tileLast);
  });
  return { issue, mb, ab, roundLast, tileLast };
}
