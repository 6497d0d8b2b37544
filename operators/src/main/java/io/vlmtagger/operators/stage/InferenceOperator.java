package io.vlmtagger.operators.stage;

import org.apache.flink.annotation.Internal;
import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.records.TimestampedTask;
import io.vlmtagger.operators.runtime.BatchSchedulerFactory;
import io.vlmtagger.operators.runtime.Failures;
import io.vlmtagger.operators.runtime.InferenceFuture;
import io.vlmtagger.operators.runtime.InferenceRuntime;
import io.vlmtagger.operators.runtime.ModelProvider;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.schemas.DeadLetter;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.util.function.ThrowingConsumer;

import java.util.concurrent.CancellationException;
import java.util.function.Function;

/**
 * What the inference stages that are custom operators (chat: keyed history; few-shot: broadcast
 * exemplars) share: their {@link StageRuntime}, the {@link InFlightBudget} they take input under,
 * and the way outcomes come back: as mails on the task thread, never after close, and without a
 * report for requests the closing runtime cancelled (they stay in the checkpointed state). The
 * task thread never waits for the model. Subclasses keep only what is theirs in Flink: state,
 * ordering, outputs.
 *
 * @param <M> the model interface
 * @param <I> the stage's input row
 * @param <O> the model's output per row
 * @param <OUT> the operator's main output
 */
@Internal
public abstract class InferenceOperator<M extends AutoCloseable, I, O, OUT> extends AbstractStreamOperator<OUT> {
    private static final long serialVersionUID = 1L;

    /** What to do with a failed request on the task thread: the failure and the attempts made. */
    @FunctionalInterface
    protected interface FailureHandler {
        void failed(Throwable failure, int attempts) throws Exception;
    }

    protected final transient MailboxExecutor mailbox;
    protected transient StageRuntime<M, I, O> stage;
    protected transient InFlightBudget budget;
    private transient boolean closed;

    protected InferenceOperator(StreamOperatorParameters<OUT> parameters, MailboxExecutor mailbox) {
        super(parameters);
        this.mailbox = mailbox;
    }

    /**
     * Opens the stage's runtime on the subtask's device and the in-flight budget ({@code
     * inference.capacity} requests, {@code inference.max-in-flight-bytes}); call from {@code open()}.
     */
    protected void openStage(String name, ModelProvider<M> provider, ModelSpec spec, InferenceSettings settings,
            BatchSchedulerFactory schedulers, Function<M, InferenceRuntime.Builder<I, O>> setup) throws Exception {
        budget = new InFlightBudget(settings.capacity(), settings.maxInFlightBytes(), mailbox);
        stage = StageRuntime.open(name, getRuntimeContext(), provider, spec, settings, schedulers, setup);
        budget.registerGauges(getMetricGroup());
    }

    /**
     * Submits {@code input}; {@code onResult} or {@code onFailure} runs on the task thread once the
     * runtime is done with it ({@code what} and {@code key} name the mail).
     */
    protected void submit(I input, String what, Object key, ThrowingConsumer<O, Exception> onResult,
            FailureHandler onFailure) {
        InferenceFuture<O> result = stage.runtime().submit(input);
        result.whenComplete((value, failure) -> {
            if (failure == null) {
                mailbox.execute(() -> {
                    if (!closed) {
                        onResult.accept(value);
                    }
                }, "%s result for %s", what, key);
            } else if (!(Failures.unwrap(failure) instanceof CancellationException)) {
                mailbox.execute(() -> {
                    if (!closed) {
                        onFailure.failed(failure, result.attempts());
                    }
                }, "%s failure for %s", what, key);
            } // cancelled: the operator is closing, the input stays in the checkpointed state
        });
    }

    /** Counts and emits a dead letter on {@link DeadLetters#TAG} with the task's timestamp. */
    protected void emitDeadLetter(TimestampedTask task, DeadLetter deadLetter) {
        stage.metrics().onDeadLetter(deadLetter.getStage());
        output.collect(DeadLetters.TAG, task.record(deadLetter));
    }

    @Override
    public void close() throws Exception {
        closed = true;
        try {
            if (stage != null) {
                stage.close();
                stage = null;
            }
        } finally {
            super.close();
        }
    }
}
