package io.vlmtagger.operators.chat;

import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.operators.inference.Submitter;

/**
 * How {@link ChatOperator} gets answers: static batches ({@link BatchedChatInference}) or the
 * model's continuous-batching loop ({@link ContinuousChatInference}), chosen by {@code
 * chat.continuous-batching}. Either way a submission fails with a {@link
 * java.util.concurrent.TimeoutException} after its timeout and with a {@link
 * java.util.concurrent.CancellationException} once closed (no dead letter: the question stays in
 * the operator's checkpointed state).
 */
interface ChatInference extends Submitter<ChatJob, GenerationResult>, AutoCloseable {

    /** Questions waiting for the model (queued or being preprocessed). */
    int queueDepth();

    /** "static" or "continuous", for the log. */
    String mode();

    @Override
    void close();
}
