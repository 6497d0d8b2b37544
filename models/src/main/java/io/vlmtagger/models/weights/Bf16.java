package io.vlmtagger.models.weights;

/** bfloat16 <-> float32 bit conversions (bfloat16 is the upper half of a float32). */
final class Bf16 {
    private Bf16() {}

    static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Rounds to nearest, ties to even, as PyTorch does; NaN stays a (quiet) NaN. */
    static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsb = (bits >>> 16) & 1;
        int rounded = bits + 0x7FFF + lsb;
        return (short) (rounded >>> 16);
    }
}
