package io.vlmtagger.models.api;

/**
 * A checkpoint directory could not be loaded: a missing file, an unsupported {@code model_type},
 * a missing or mis-shaped weight. The message names the checkpoint and the offending key.
 */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
