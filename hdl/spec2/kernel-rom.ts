/**
 * The kernel ROM of one SPEC2 PE: the PE's schedule (schedule.ts) as words
 * {useful, first, oLocal, index, re, im}, read synchronously (block RAM when large, LUT ROM otherwise).
 * The word at `addr` appears on the outputs in the cycle after `en` was high.
 */
import { Bool, Input, Output, Rom, SInt, UInt, defineModule, log2Ceil, type Signal } from "../core";
import { packRomWord, romWordBits, type RomWord } from "./schedule";

export interface KernelRomParams {
  readonly oBits: number;
  readonly indexBits: number;
  readonly weightBits: number;
  /** the PE's schedule, one word per address (schedule.rom[po][pi]) */
  readonly words: readonly Pick<RomWord, "useful" | "first" | "oLocal" | "index" | "re" | "im">[];
}

/** The fields of a kernel word, as KernelRom's outputs. */
export interface KernelRomOutputs {
  readonly useful: Signal;
  readonly first: Signal;
  readonly oLocal: Signal;
  readonly index: Signal;
  readonly re: Signal;
  readonly im: Signal;
}

/** The fields of a word packed by packRomWord (what KernelRom slices; for words read from a weight buffer). */
export function unpackRomWord(word: Signal, oBits: number, indexBits: number, weightBits: number): KernelRomOutputs {
  let lo = 0;
  const field = (bits: number): Signal => {
    const f = word.bits(lo + bits - 1, lo);
    lo += bits;
    return f;
  };
  const im = field(weightBits).asSInt();
  const re = field(weightBits).asSInt();
  const index = field(indexBits);
  const oLocal = field(oBits);
  const first = word.bit(lo);
  const useful = word.bit(lo + 1);
  return { useful, first, oLocal, index, re, im };
}

export const KernelRom = defineModule("KernelRom", (p: KernelRomParams) => {
  const { oBits, indexBits, weightBits } = p;
  const wb = romWordBits(oBits, indexBits, weightBits);
  const depth = Math.max(2, p.words.length);
  const addr = Input(UInt(log2Ceil(depth)));
  const en = Input(Bool());
  const useful = Output(Bool());
  const first = Output(Bool());
  const oLocal = Output(UInt(oBits));
  const index = Output(UInt(indexBits));
  const re = Output(SInt(weightBits));
  const im = Output(SInt(weightBits));
  const contents = p.words.map((w) => packRomWord({ ...w, o: 0, i: 0 }, oBits, indexBits, weightBits));
  while (contents.length < depth) contents.push(0n);
  const rom = Rom(UInt(wb), contents);
  const word = rom.readSync(addr, { enable: en });
  let lo = 0;
  im.assign(word.bits(lo + weightBits - 1, lo).asSInt());
  lo += weightBits;
  re.assign(word.bits(lo + weightBits - 1, lo).asSInt());
  lo += weightBits;
  index.assign(word.bits(lo + indexBits - 1, lo));
  lo += indexBits;
  oLocal.assign(word.bits(lo + oBits - 1, lo));
  lo += oBits;
  useful.assign(word.bit(lo + 1));
  first.assign(word.bit(lo));
  return { addr, en, useful, first, oLocal, index, re, im };
});
