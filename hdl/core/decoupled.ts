/** The ready/valid handshake bundle: a transfer happens on a clock edge where both are high. */
import { Bool, Bundle, Flipped, type BundleType, type Flip, type HdlType, type UIntType } from "./types.js";

export type DecoupledType<T extends HdlType> = BundleType<{ valid: UIntType; ready: Flip<UIntType>; bits: T }>;

/** `valid` and `bits` flow with the data; `ready` flows back. Use Output(...) on the producer side, Input(...) on the consumer side. */
export function Decoupled<T extends HdlType>(bits: T): DecoupledType<T> {
  return Bundle({ valid: Bool(), ready: Flipped(Bool()), bits });
}
