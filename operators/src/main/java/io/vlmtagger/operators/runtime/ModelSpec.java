package io.vlmtagger.operators.runtime;

import java.io.Serializable;
import java.util.Objects;

/**
 * Which model to load: a checkpoint directory (HF layout: config.json, safetensors, tokenizer,
 * preprocessor config), an optional pinned revision (null: the model computes one from its
 * files) and the compute dtype ({@code float32}, {@code float16}, {@code bfloat16}). Together
 * with the device it is the key under which subtasks of one JVM share a loaded model.
 */
public record ModelSpec(String checkpointDir, String revision, String dtype) implements Serializable {
    public ModelSpec {
        if (checkpointDir == null || checkpointDir.isBlank()) {
            throw new IllegalArgumentException("ModelSpec needs a checkpoint directory, e.g. /models/blip2-opt-2.7b");
        }
        dtype = dtype == null ? "float32" : dtype;
    }

    public static ModelSpec of(String checkpointDir) {
        return new ModelSpec(checkpointDir, null, "float32");
    }

    public ModelSpec withDtype(String newDtype) {
        return new ModelSpec(checkpointDir, revision, Objects.requireNonNull(newDtype, "dtype"));
    }
}
