package io.vlmtagger.operators.search;

import io.vlmtagger.schemas.DeadLetter;
import java.io.Serializable;
import java.util.concurrent.CompletableFuture;

/**
 * Where a search sink sends documents the index rejected for good (for example a mapping
 * conflict), so that one bad document never stalls the job.
 *
 * <p>The sink waits for the returned future before it treats the document as done: a letter is
 * never lost between a checkpoint and the dead-letter topic (at-least-once). Implementations must
 * be thread-safe: the sink calls {@link #publish} from the HTTP client's callback threads.
 *
 * <p>Publishers are created on the task managers from a serializable {@link Factory}; the jobs
 * module provides a Kafka-backed one, {@link LoggingDeadLetterPublisher} only logs.
 */
public interface DeadLetterPublisher extends AutoCloseable {

    /** Sends the letter; the future completes once it is durably stored (or fails). */
    CompletableFuture<Void> publish(DeadLetter letter);

    @Override
    default void close() throws Exception {}

    /** Creates one publisher per sink subtask, on the task manager. */
    @FunctionalInterface
    interface Factory extends Serializable {
        DeadLetterPublisher create(int subtaskIndex) throws Exception;
    }
}
