package io.vlmtagger.models.weights;

import ai.djl.ndarray.types.DataType;

/** The element types of a safetensors file this package reads and writes. */
public enum SafetensorsDtype {
    F32(4, DataType.FLOAT32),
    F16(2, DataType.FLOAT16),
    BF16(2, DataType.BFLOAT16),
    I64(8, DataType.INT64),
    I32(4, DataType.INT32);

    private final int bytes;
    private final DataType djlType;

    SafetensorsDtype(int bytes, DataType djlType) {
        this.bytes = bytes;
        this.djlType = djlType;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The DJL type holding this dtype's values (BF16 is read as FLOAT32, see {@link SafetensorsFile}). */
    public DataType djlType() {
        return djlType;
    }

    public boolean isFloating() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** Parses the header's {@code dtype} string; fails naming the value if this package does not read it. */
    public static SafetensorsDtype parse(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException(
                "unsupported safetensors dtype '" + name + "' (supported: F32, F16, BF16, I64, I32)");
    }
}
