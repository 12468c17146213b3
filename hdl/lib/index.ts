/**
 * The standard hardware library: reusable blocks built only on hdl/core (each in its own file,
 * with its interface, timing and cost in the header).
 */
export { Valid } from "./valid";
export type { ValidType } from "./valid";
export { counter, counterChain } from "./counter";
export type { Counter, CounterChain, CounterChainOptions, CounterOptions } from "./counter";
export { delay, pipe, shiftRegister } from "./shift-register";
export type { ShiftOptions, ValidValue } from "./shift-register";
export { mulConst, popCount, selectTree, sumTree, treeReduce } from "./tree";
export { mux1H, muxLookup, ohToUInt, priorityEncoder, priorityEncoderOH, priorityMux, selectIndex, uintToOH } from "./one-hot";
export { LFSR_TAPS, lfsr, lfsrStep } from "./lfsr";
export type { LfsrOptions } from "./lfsr";
export { QUEUE_REGISTER_DEPTH, Queue, queue } from "./queue";
export type { QueueParams } from "./queue";
export { SkidBuffer } from "./skid-buffer";
export { Arbiter, RRArbiter } from "./arbiter";
export type { ArbiterParams } from "./arbiter";
export { Synchronizer } from "./synchronizer";
export { leaves, pack, typeWidth, unpackInto } from "./pack";
