package io.vlmtagger.models.runtime;

import ai.djl.ndarray.types.DataType;
import ai.djl.util.cuda.CudaUtils;
import java.util.Locale;
import java.util.Objects;

/**
 * The floating-point type weights are held and computed in, as written in configuration:
 * {@code float32}, {@code float16}, {@code bfloat16} or {@code auto} ({@code fp32}, {@code fp16},
 * {@code half}, {@code bf16} accepted). {@code auto} is float32 on CPU; on a GPU bfloat16 where
 * the device supports it (compute capability 8.0+, Ampere and later), else float16.
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

    /** The concrete type for {@code device}; {@link #AUTO} asks the GPU what it supports. */
    public DataType resolve(DeviceSpec device) {
        return resolve(device, device.gpu() ? gpuSupportsBf16(device.gpuId()) : false);
    }

    /** As {@link #resolve(DeviceSpec)} with the bf16 capability given (for tests and known hardware). */
    public DataType resolve(DeviceSpec device, boolean gpuSupportsBf16) {
        if (this != AUTO) {
            return dataType;
        }
        if (!device.gpu()) {
            return DataType.FLOAT32;
        }
        return gpuSupportsBf16 ? DataType.BFLOAT16 : DataType.FLOAT16;
    }

    /** Compute capability 8.0 or higher (CUDA reports e.g. "75", "80", "90", "100"). */
    static boolean gpuSupportsBf16(int gpuId) {
        try {
            return bf16Capable(CudaUtils.getComputeCapability(gpuId));
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** {@code "86"}, {@code "8.6"}, {@code "100"} -> capability >= 8.0. */
    static boolean bf16Capable(String computeCapability) {
        if (computeCapability == null || computeCapability.isBlank()) {
            return false;
        }
        try {
            return Integer.parseInt(computeCapability.strip().replace(".", "")) >= 80;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
