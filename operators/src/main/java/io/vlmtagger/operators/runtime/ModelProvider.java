package io.vlmtagger.operators.runtime;

import java.io.Serializable;

/**
 * The seam between the operators and model loading: returns a handle to the model for {@code spec}
 * on {@code device} ({@code cpu}, {@code gpu:0}). Implementations backed by the models module's
 * per-JVM registry return handles that share one loaded model per (spec, device), reference
 * counted: {@code close()} on a handle releases it, and the weights go when the last handle
 * closes. Tests supply fakes. Serializable because Flink ships it inside the operator.
 *
 * @param <M> {@code ImageCaptioner} or {@code VisualChatModel}
 */
@FunctionalInterface
public interface ModelProvider<M extends AutoCloseable> extends Serializable {
    M acquire(ModelSpec spec, String device) throws Exception;
}
