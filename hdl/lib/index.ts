/**
 * The standard hardware library: reusable blocks built only on hdl/core (each in its own file,
 * with its interface, timing and cost in the header).
 */
export { Valid } from "./valid.js";
export type { ValidType } from "./valid.js";
export { Counter, CounterChain } from "./counter.js";
export type { CounterChainOptions, CounterOptions } from "./counter.js";
export { delay, Pipe, ShiftRegister } from "./shift-register.js";
export type { ShiftOptions, ValidValue } from "./shift-register.js";
export { mulConst, PopCount, selectTree, sumTree, treeReduce } from "./tree.js";
export { Mux1H, MuxLookup, OHToUInt, PriorityEncoder, PriorityEncoderOH, PriorityMux, selectIndex, UIntToOH } from "./one-hot.js";
export { LFSR_TAPS, Lfsr, lfsrStep } from "./lfsr.js";
export type { LfsrOptions } from "./lfsr.js";
export { QUEUE_REGISTER_DEPTH, Queue, queue } from "./queue.js";
export type { QueueParams } from "./queue.js";
export { SkidBuffer } from "./skid-buffer.js";
export { Arbiter, RRArbiter } from "./arbiter.js";
export type { ArbiterParams } from "./arbiter.js";
export { Synchronizer } from "./synchronizer.js";
export { AsyncFifo } from "./async-fifo.js";
export type { AsyncFifoParams } from "./async-fifo.js";
export { leaves, pack, typeWidth, unpackInto } from "./pack.js";
export { BurstBeat, BurstCommand, BurstPort, BurstWriteBeat, burstLenBits, maxBurstBeats } from "./burst.js";
export type { BurstPortParams, BurstPortType } from "./burst.js";
export { BurstMemory, bandwidthFraction } from "./burst-memory.js";
export type { BurstMemoryParams } from "./burst-memory.js";
export { BurstReader, TransferCommand } from "./burst-reader.js";
export type { BurstReaderParams } from "./burst-reader.js";
export { BurstWriter, burstWriterWithStrobes } from "./burst-writer.js";
export type { BurstWriterParams, StrobedBeatStream } from "./burst-writer.js";
export { assertStreamRules, assumeStreamRules } from "./stream-rules.js";
export type { StreamSignals } from "./stream-rules.js";
export { assertQueueOrder } from "./queue-order.js";
export type { QueueOrderSignals } from "./queue-order.js";
