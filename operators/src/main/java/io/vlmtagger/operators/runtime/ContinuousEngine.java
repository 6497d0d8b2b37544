package io.vlmtagger.operators.runtime;

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
 * Rows one by one into a {@link ContinuousModel}: each joins the running decode batch at the next
 * step instead of waiting for a whole batch. Inputs are prepared ({@link ModelHandler#preprocess})
 * on {@code preprocessThreads} threads (0: on the caller's thread); the attempt timeout runs on
 * the {@link BatchScheduler} and, when it fires, also drops the row from the loop.
 */
final class ContinuousEngine<I, O> implements Engine<I, O> {
    private final String name;
    private final ModelHandler<I, O> handler;
    private final ContinuousModel<I, O> model;
    private final BatchScheduler scheduler;
    private final ExecutorService preprocessExecutor;
    private final Set<CompletableFuture<O>> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicInteger preprocessing = new AtomicInteger();
    private volatile boolean closed;

    ContinuousEngine(String name, ModelHandler<I, O> handler, ContinuousModel<I, O> model, BatchScheduler scheduler,
            int preprocessThreads) {
        this.name = name;
        this.handler = handler;
        this.model = model;
        this.scheduler = scheduler;
        this.preprocessExecutor = preprocessThreads == 0 ? null
                : Executors.newFixedThreadPool(preprocessThreads, DaemonThreads.numbered(name + "-preprocess-"));
    }

    @Override
    public CompletableFuture<O> submit(I input, Duration timeout) {
        CompletableFuture<O> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(closedException());
            return result;
        }
        inFlight.add(result);
        result.whenComplete((r, e) -> inFlight.remove(result));
        scheduler.failAfter(result, timeout, name);
        if (preprocessExecutor == null) {
            prepareAndSubmit(input, result);
        } else {
            preprocessing.incrementAndGet();
            try {
                preprocessExecutor.execute(() -> {
                    preprocessing.decrementAndGet();
                    prepareAndSubmit(input, result);
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

    private void prepareAndSubmit(I input, CompletableFuture<O> result) {
        if (result.isDone()) { // timed out while waiting for a preprocess thread
            return;
        }
        I prepared;
        try {
            prepared = handler.preprocess(input);
        } catch (Throwable e) {
            result.completeExceptionally(e);
            return;
        }
        CompletableFuture<O> answer = model.submit(prepared);
        answer.whenComplete((r, e) -> {
            if (e == null) {
                result.complete(r);
            } else {
                result.completeExceptionally(Failures.unwrap(e));
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
        return preprocessing.get() + model.queueDepth();
    }

    @Override
    public String mode() {
        return "continuous";
    }

    /** Stops the loop (its running and queued rows fail with a CancellationException), then the rest. */
    @Override
    public void close() {
        closed = true;
        try {
            model.close();
        } finally {
            if (preprocessExecutor != null) {
                preprocessExecutor.shutdownNow();
            }
            for (CompletableFuture<O> f : inFlight) {
                f.completeExceptionally(closedException());
            }
        }
    }

    private CancellationException closedException() {
        return new CancellationException("continuous engine " + name + " is closed");
    }
}
