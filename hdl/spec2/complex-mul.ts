/**
 * The PE's exact complex multiply x * w in two forms with identical results:
 *   "four":  re = xr*wr - xi*wi, im = xr*wi + xi*wr                        (4 multipliers)
 *   "gauss": k1 = wr*(xr + xi), k2 = xr*(wi - wr), k3 = xi*(wr + wi);
 *            re = k1 - k3, im = k1 + k2                                   (3 multipliers, 3 pre-adds)
 * Both are exact integer arithmetic, so the golden model (complexMacFixed) does not care which.
 */
import type { Complex } from "./fixed";

export type Multiplier = "four" | "gauss";

export function complexProduct(x: Complex, w: Complex, form: Multiplier): Complex {
  if (form === "four") return { re: x.re.mul(w.re).sub(x.im.mul(w.im)), im: x.re.mul(w.im).add(x.im.mul(w.re)) };
  const k1 = w.re.mul(x.re.add(x.im));
  const k2 = x.re.mul(w.im.sub(w.re));
  const k3 = x.im.mul(w.re.add(w.im));
  return { re: k1.sub(k3), im: k1.add(k2) };
}
