/** Public API of the fixed-point golden model (see spectral/README.md). */
export * from "./primitives";
export * from "./fft";
export * from "./layer";
export * from "./quantize";
export * from "./pool";
