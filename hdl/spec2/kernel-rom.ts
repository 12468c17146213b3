/**
 * The kernel ROM of one SPEC2 PE: the PE's schedule (schedule.ts) as words
 * {useful, first, oLocal, index, re, im}, read synchronously (block RAM when large, LUT ROM otherwise).
 * The word at `addr` appears on the outputs in the cycle after `en` was high.
 */
import { Bool, Input, Output, Rom, SInt, UInt, defineModule, log2Ceil } from "../core";
import { packRomWord, romWordBits, type RomWord } from "./schedule";

export interface KernelRomParams {
  readonly oBits: number;
  readonly indexBits: number;
  readonly weightBits: number;
  /** the PE's schedule, one word per address (schedule.rom[po][pi]) */
  readonly words: readonly Pick<RomWord, "useful" | "first" | "oLocal" | "index" | "re" | "im">[];
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
