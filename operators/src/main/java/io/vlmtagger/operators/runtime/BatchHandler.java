package io.vlmtagger.operators.runtime;

import java.util.List;

/**
 * Runs one batch on the model thread. Result {@code i} belongs to input {@code i}; the returned
 * list must have exactly as many elements as the input. Throwing fails the whole batch, after
 * which {@link MicroBatcher} retries the elements one by one (or splits the batch in halves when
 * the failure was a native out-of-memory).
 */
@FunctionalInterface
interface BatchHandler<I, O> {
    List<O> run(List<I> batch) throws Exception;
}
