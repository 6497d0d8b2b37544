package io.vlmtagger.models.runtime;

import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What identifies a loaded model in a {@link SharedModelRegistry}: the checkpoint directory
 * (canonical: symlinks and {@code ..} resolved, so two spellings share one copy), the device and
 * the compute dtype. The same checkpoint in two dtypes or on two GPUs is two models.
 */
public record ModelKey(Path checkpoint, DeviceSpec device, DataType dtype) {
    public ModelKey {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(dtype, "dtype");
    }

    /** A key with {@code checkpoint} made canonical ({@link Path#toRealPath}). */
    public static ModelKey of(Path checkpoint, DeviceSpec device, DataType dtype) {
        try {
            return new ModelKey(checkpoint.toRealPath(), device, dtype);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint directory " + checkpoint + " cannot be resolved", e);
        }
    }

    @Override
    public String toString() {
        return checkpoint + " on " + device + " as " + dtype;
    }
}
