package io.vlmtagger.models.runtime;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;
import java.util.Objects;

/**
 * The floating-point type weights are held and computed in, as written in configuration:
 * {@code float32}, {@code float16}, {@code bfloat16} or {@code auto} ({@code fp32}, {@code fp16},
 * {@code half}, {@code bf16} accepted). {@code auto} is float32 on CPU and float16 on a GPU
 * (see {@link #resolve}).
 */
public enum ComputeDtype {
    FLOAT32(DataType.FLOAT32),
    FLOAT16(DataType.FLOAT16),
    BFLOAT16(DataType.BFLOAT16),
    AUTO(null);

    private final DataType dataType;

    ComputeDtype(DataType dataType) {
        this.dataType = dataType;
    }

    public static ComputeDtype parse(String text) {
        Objects.requireNonNull(text, "dtype");
        switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "float32":
            case "fp32":
            case "f32":
                return FLOAT32;
            case "float16":
            case "fp16":
            case "f16":
            case "half":
                return FLOAT16;
            case "bfloat16":
            case "bf16":
                return BFLOAT16;
            case "auto":
                return AUTO;
            default:
                throw new IllegalArgumentException(
                        "unknown dtype '" + text + "': use float32, float16, bfloat16 or auto");
        }
    }

    /**
     * The concrete type for {@code device}: {@link #AUTO} is float32 on CPU and float16 on a GPU.
     * Not bfloat16, even on GPUs that support it: DJL 0.36's PyTorch JNI aborts the whole JVM on
     * bfloat16 tensors ("terminate called without an active exception"), and the weight loader
     * refuses it as a compute type with a clear message. bf16 checkpoint files load fine.
     */
    public DataType resolve(DeviceSpec device) {
        if (this != AUTO) {
            return dataType;
        }
        return device.gpu() ? DataType.FLOAT16 : DataType.FLOAT32;
    }
}
