package io.vlmtagger.operators.chat;

import io.vlmtagger.models.api.ContinuousChat;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.operators.batching.BatchScheduler;
import io.vlmtagger.operators.batching.DaemonThreads;
import io.vlmtagger.operators.inference.InferenceFailures;
import io.vlmtagger.operators.inference.InferenceSettings;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chat questions one by one into the model's continuous-batching loop ({@link ContinuousChat}):
 * each joins the running decode batch at the next step instead of waiting for a whole batch.
 * Images are decoded on {@code inference.preprocess-threads} threads (0: on the caller's thread);
 * the attempt timeout runs on the {@link BatchScheduler} and, when it fires, also drops the
 * question from the loop. {@code inference.max-batch-size} bounds the rows decoded together and
 * {@code inference.capacity} the loop's queue.
 */
final class ContinuousChatInference implements ChatInference {
    private final String name;
    private final VisualChatModel model;
    private final ContinuousChat chat;
    private final GenerationOptions options;
    private final BatchScheduler scheduler;
    private final ExecutorService preprocessExecutor;
    private final Set<CompletableFuture<GenerationResult>> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicInteger preprocessing = new AtomicInteger();
    private volatile boolean closed;

    private ContinuousChatInference(String name, VisualChatModel model, ContinuousChat chat, InferenceSettings settings,
            BatchScheduler scheduler) {
        this.name = name;
        this.model = model;
        this.chat = chat;
        this.options = settings.chatGeneration();
        this.scheduler = scheduler;
        int threads = settings.preprocessThreads();
        this.preprocessExecutor = threads == 0 ? null
                : Executors.newFixedThreadPool(threads, DaemonThreads.numbered(name + "-preprocess-"));
    }

    /** The continuous client, or {@code null} when the model only answers static batches. */
    static ContinuousChatInference openOrNull(String name, VisualChatModel model, InferenceSettings settings,
            BatchScheduler scheduler) {
        return model.openContinuous(settings.maxBatchSize(), settings.capacity())
                .map(chat -> new ContinuousChatInference(name, model, chat, settings, scheduler))
                .orElse(null);
    }

    @Override
    public CompletableFuture<GenerationResult> submit(ChatJob job, Duration timeout) {
        CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(closedException());
            return result;
        }
        inFlight.add(result);
        result.whenComplete((r, e) -> inFlight.remove(result));
        scheduler.failAfter(result, timeout, name);
        if (preprocessExecutor == null) {
            decodeAndSubmit(job, result);
        } else {
            preprocessing.incrementAndGet();
            try {
                preprocessExecutor.execute(() -> {
                    preprocessing.decrementAndGet();
                    decodeAndSubmit(job, result);
                });
            } catch (RejectedExecutionException e) {
                preprocessing.decrementAndGet();
                result.completeExceptionally(closed ? closedException() : e);
            }
        }
        if (closed) { // raced with close(): nobody else will fail it
            result.completeExceptionally(closedException());
        }
        return result;
    }

    private void decodeAndSubmit(ChatJob job, CompletableFuture<GenerationResult> result) {
        if (result.isDone()) { // timed out while waiting for a preprocess thread
            return;
        }
        try {
            job.decodeImage(model);
        } catch (Throwable e) {
            result.completeExceptionally(e);
            return;
        }
        CompletableFuture<GenerationResult> answer = chat.submit(job.request(), options);
        answer.whenComplete((r, e) -> {
            if (e == null) {
                result.complete(r);
            } else {
                result.completeExceptionally(InferenceFailures.unwrap(e));
            }
        });
        result.whenComplete((r, e) -> {
            if (e != null) {
                answer.cancel(false); // timed out or closed: the loop drops the row at its next step
            }
        });
    }

    @Override
    public int queueDepth() {
        return preprocessing.get() + chat.queueDepth();
    }

    @Override
    public String mode() {
        return "continuous";
    }

    /** Stops the loop (its running and queued questions fail with a CancellationException), then the rest. */
    @Override
    public void close() {
        closed = true;
        try {
            chat.close();
        } finally {
            if (preprocessExecutor != null) {
                preprocessExecutor.shutdownNow();
            }
            for (CompletableFuture<GenerationResult> f : inFlight) {
                f.completeExceptionally(closedException());
            }
        }
    }

    private CancellationException closedException() {
        return new CancellationException("continuous chat client " + name + " is closed");
    }
}
