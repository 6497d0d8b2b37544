package io.vlmtagger.operators.runtime;

import java.util.List;

/**
 * What a stage supplies to the {@link InferenceRuntime} (as a model handler does to Apache Beam's
 * RunInference): how to prepare one input and how to run a batch. Everything else (batching,
 * device gate, deadlines, retries, poison isolation, out-of-memory splitting, dedup, metrics,
 * failure reasons) is the runtime's.
 *
 * @param <I> one input row, e.g. a task with its pixels once preprocessed
 * @param <O> the model's output for one row
 */
public interface ModelHandler<I, O> {

    /**
     * Prepares one input off the model's thread (decode and resize its image, ...) and returns the
     * row to batch, usually {@code input} itself now holding what was computed. A retried input is
     * prepared again: keep the result in the input to skip the work. Throwing fails this input
     * only; an {@code ImageDecodeException} or {@code InvalidRequestException} is not retried.
     */
    default I preprocess(I input) throws Exception {
        return input;
    }

    /**
     * Runs one batch on the model, on the device's thread; result {@code i} belongs to input {@code
     * i}. Throwing fails the batch, after which the runtime retries its rows one by one (or splits
     * it in halves after an out-of-memory failure).
     */
    List<O> runBatch(List<I> batch) throws Exception;
}
