/**
 * `Valid(t)`: a value with a valid flag and no back-pressure, beside `Decoupled(t)` (which adds
 * `ready`). A transfer happens on every clock edge where `valid` is high.
 */
import { Bool, Bundle, type BundleType, type HdlType, type UIntType } from "../core/index.js";

export type ValidType<T extends HdlType> = BundleType<{ valid: UIntType; bits: T }>;

export function Valid<T extends HdlType>(bits: T): ValidType<T> {
  return Bundle({ valid: Bool(), bits });
}
