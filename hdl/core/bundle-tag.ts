/** The type each bundle value was made with (Input/Output/Wire/Reg and instance ports), for connect(). */
import type { BundleType } from "./types.js";

const BUNDLE_TYPE = new WeakMap<object, BundleType>();

export function tagBundle(value: object, type: BundleType): void {
  BUNDLE_TYPE.set(value, type);
}

export function bundleTypeOf(value: object): BundleType | undefined {
  return BUNDLE_TYPE.get(value);
}
