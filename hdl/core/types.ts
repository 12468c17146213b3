/**
 * Hardware types. Ground types (UInt, SInt, Bool, enums) have a width and a
 * signedness; bundles and vectors are aggregates of them. Aggregates are
 * flattened to ground signals in the IR and in Verilog (`io_a_b`, `v_3`).
 * A bad width or length is an HdlError at the user's line.
 */
import { HdlError } from "./errors.js";
import { userLocation } from "./source.js";

export interface UIntType {
  readonly kind: "uint";
  readonly width: number;
  /** Set for Bool(): a 1-bit UInt that reads as a condition. */
  readonly bool?: true;
  /** Set for enum types: the variant names in encoding order. */
  readonly enumOf?: EnumType<string>;
}

export interface SIntType {
  readonly kind: "sint";
  readonly width: number;
}

export type GroundType = UIntType | SIntType;

/** A bundle field; `flipped` reverses its direction relative to the bundle. */
export interface Field<T extends HdlType = HdlType> {
  readonly type: T;
  readonly flipped: boolean;
}

export type FieldMap = Record<string, HdlType | Flip<HdlType>>;

export interface Flip<T extends HdlType> {
  readonly kind: "flip";
  readonly type: T;
}

export interface BundleType<F extends FieldMap = FieldMap> {
  readonly kind: "bundle";
  readonly fields: F;
}

export interface VecType<E extends HdlType = HdlType> {
  readonly kind: "vec";
  readonly elem: E;
  readonly length: number;
}

export type HdlType = GroundType | BundleType | VecType;

function checkWidth(width: number, what: string): void {
  if (!Number.isInteger(width) || width < 1) throw new HdlError(userLocation(), `${what} width must be a positive integer, got ${show(width)}`);
}

function show(x: unknown): string {
  return typeof x === "number" || typeof x === "bigint" ? String(x) : JSON.stringify(x) ?? String(x);
}

/** Unsigned integer of `width` bits. */
export function UInt(width: number): UIntType {
  checkWidth(width, "UInt");
  return { kind: "uint", width };
}

/** Two's-complement signed integer of `width` bits. */
export function SInt(width: number): SIntType {
  checkWidth(width, "SInt");
  return { kind: "sint", width };
}

/** A single bit used as a condition. */
export function Bool(): UIntType {
  return { kind: "uint", width: 1, bool: true };
}

/** A record of named fields; wrap a field in `Flipped` to reverse its direction. */
export function Bundle<F extends FieldMap>(fields: F): BundleType<F> {
  return { kind: "bundle", fields };
}

export function Flipped<T extends HdlType>(type: T): Flip<T> {
  return { kind: "flip", type };
}

/** `length` elements of one type. */
export function Vec<E extends HdlType>(length: number, elem: E): VecType<E> {
  if (!Number.isInteger(length) || length < 1) throw new HdlError(userLocation(), `Vec length must be a positive integer, got ${show(length)}`);
  return { kind: "vec", elem, length };
}

/** The number of bits needed to hold values 0..n-1 (at least 1). */
export function log2Ceil(n: number): number {
  if (n <= 2) return 1;
  return Math.ceil(Math.log2(n));
}

/** An enumeration, encoded as consecutive unsigned integers in the minimal width. */
export interface EnumType<V extends string> {
  readonly name: string;
  readonly variants: readonly V[];
  readonly width: number;
  /** The UInt type of a signal holding this enum. */
  readonly type: UIntType;
  /** The encoding of a variant. */
  code(variant: V): number;
}

export function Enum<const V extends string>(name: string, variants: readonly V[]): EnumType<V> {
  if (variants.length === 0) throw new HdlError(userLocation(), `Enum ${name} needs at least one variant`);
  const repeated = variants.find((v, i) => variants.indexOf(v) !== i);
  if (repeated !== undefined) throw new HdlError(userLocation(), `Enum ${name} lists the variant ${repeated} twice`);
  const width = log2Ceil(variants.length);
  const e: EnumType<V> = {
    name,
    variants,
    width,
    type: undefined as unknown as UIntType,
    code(variant: V): number {
      const i = variants.indexOf(variant);
      if (i < 0) throw new HdlError(userLocation(), `Enum ${name} has no variant ${String(variant)}: its variants are ${variants.join(", ")}`);
      return i;
    },
  };
  (e as { type: UIntType }).type = { kind: "uint", width, enumOf: e as EnumType<string> };
  return e;
}

export function isGround(t: HdlType): t is GroundType {
  return t.kind === "uint" || t.kind === "sint";
}

export function typeName(t: HdlType): string {
  switch (t.kind) {
    case "uint":
      return t.bool ? "Bool" : t.enumOf ? `${t.enumOf.name}(UInt<${t.width}>)` : `UInt<${t.width}>`;
    case "sint":
      return `SInt<${t.width}>`;
    case "bundle":
      return `Bundle{${Object.keys(t.fields).join(", ")}}`;
    case "vec":
      return `Vec<${t.length}, ${typeName(t.elem)}>`;
  }
}

/** Unwraps a bundle field declaration into its type and flip flag. */
export function fieldOf(f: HdlType | Flip<HdlType>): Field {
  return f.kind === "flip" ? { type: f.type, flipped: true } : { type: f, flipped: false };
}
