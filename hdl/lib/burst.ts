/**
 * `BurstPort(p)`: a plain burst interface to external memory with the channel structure and
 * handshake rules of AXI4 (without ids, sizes, burst types or byte strobes), seen from the
 * master: `Output(BurstPort(p))` in the design that reads and writes memory, `Input(BurstPort(p))`
 * in the memory (or its model, `BurstMemory`).
 *
 *   ar  (Decoupled, master -> memory)  { addr, len }   a read burst of len + 1 beats from byte address addr
 *   r   (Decoupled, memory -> master)  { data, last }  the beats of the read bursts, in command order
 *   aw  (Decoupled, master -> memory)  { addr, len }   a write burst of len + 1 beats
 *   w   (Decoupled, master -> memory)  { data, strb, last }  the beats of the write bursts, in command
 *                                      order; strb bit i enables byte i of data (AXI4's WSTRB)
 *   b   (Valid,     memory -> master)                  one pulse per completed write burst
 *
 * A beat is `dataBytes` bytes (the word at byte address `addr + i * dataBytes` is beat i); `addr`
 * is a multiple of `dataBytes`; `last` marks a burst's final beat. A transfer happens on a clock
 * edge where valid and ready are high; byte i of a beat is bits [8i, 8i + 8) of data; a master keeps `valid` and the payload until `ready`, and
 * its `ready` does not wait for the memory's `valid`, as in AXI4.
 */
import { Bool, Bundle, Decoupled, Flipped, UInt, requireArgument } from "../core/index.js";
import { Valid } from "./valid.js";

export interface BurstPortParams {
  /** bits of a byte address */
  readonly addrBits: number;
  /** bytes per beat (a power of two) */
  readonly dataBytes: number;
  /** bits of `len` (bursts of up to 2^lenBits beats); default 8, as AXI4 */
  readonly lenBits?: number;
}

/** Bits of the `len` field. */
export function burstLenBits(p: BurstPortParams): number {
  return p.lenBits ?? 8;
}

/** Longest burst, in beats. */
export function maxBurstBeats(p: BurstPortParams): number {
  return 2 ** burstLenBits(p);
}

function checkPort(p: BurstPortParams): void {
  requireArgument(Number.isInteger(p.addrBits) && p.addrBits >= 1 && p.addrBits <= 64, `BurstPort: addrBits must be an integer in 1..64, got ${p.addrBits}`);
  requireArgument(Number.isInteger(p.dataBytes) && p.dataBytes >= 1 && (p.dataBytes & (p.dataBytes - 1)) === 0, `BurstPort: dataBytes must be a power of two, got ${p.dataBytes}`);
  const lenBits = burstLenBits(p);
  requireArgument(Number.isInteger(lenBits) && lenBits >= 1 && lenBits <= 16, `BurstPort: lenBits must be an integer in 1..16, got ${lenBits}`);
}

/** The payload of `ar` and `aw`. */
export function BurstCommand(p: BurstPortParams) {
  checkPort(p);
  return Bundle({ addr: UInt(p.addrBits), len: UInt(burstLenBits(p)) });
}

/** The payload of `r`. */
export function BurstBeat(p: BurstPortParams) {
  checkPort(p);
  return Bundle({ data: UInt(8 * p.dataBytes), last: Bool() });
}

/** The payload of `w`: a beat with its byte enables. */
export function BurstWriteBeat(p: BurstPortParams) {
  checkPort(p);
  return Bundle({ data: UInt(8 * p.dataBytes), strb: UInt(p.dataBytes), last: Bool() });
}

/** The whole port, directions as seen from the master. */
export function BurstPort(p: BurstPortParams) {
  return Bundle({
    ar: Decoupled(BurstCommand(p)),
    r: Flipped(Decoupled(BurstBeat(p))),
    aw: Decoupled(BurstCommand(p)),
    w: Decoupled(BurstWriteBeat(p)),
    b: Flipped(Valid(Bool())),
  });
}

export type BurstPortType = ReturnType<typeof BurstPort>;
