package io.vlmtagger.operators.runtime;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

/**
 * Collects single requests into batches for a model and runs them on one dedicated model thread.
 * Knows nothing of Flink: {@link #submit} returns a {@link CompletableFuture} per element.
 *
 * <p>Batching (dynamic, like Triton's batcher): when the model thread is idle, a batch starts as
 * soon as {@code maxBatchSize} requests wait or the oldest has waited {@code maxBatchWait}. While
 * the model is busy, requests keep accumulating, so that under load batches fill up instead of
 * queueing many small ones behind each other. A batch that is due but not full still waits for
 * requests already submitted and being preprocessed, up to {@code maxPreprocessWait} more: when a
 * burst arrives at an idle model, its first batch would otherwise start with only the images
 * decoded within {@code maxBatchWait}, and the rest would form one more (partial) batch later
 * (measured: a 64-image backlog ran as 5 + 7 x 8 + 3 instead of 8 x 8, ~6% of its time). A lone
 * request, with nothing behind it in preprocessing, still waits only {@code maxBatchWait}.
 *
 * <p>Failures: if the handler throws for a batch, each element is retried alone, so one poison
 * element fails only its own future. If the failure was an out-of-memory ({@link
 * OutOfMemoryDetector}) and splitting is on, the batch is split in halves which run one after the
 * other (recursively) before falling back to single elements.
 *
 * <p>Preprocessing ({@link Preprocessor}: decode, resize) runs on a separate small executor, never
 * on the model thread. Capacity: at most {@code capacity} requests may be in flight (preprocessing,
 * queued or running); beyond that {@link #submit} fails fast with {@link BatcherFullException}
 * (see there why it does not block). In a Flink async operator the operator's own capacity
 * already bounds in-flight requests; set this one at least as large.
 *
 * <p>Per-request timeouts ({@link #submit(Object, Duration)}) fail the element's future with a
 * {@link TimeoutException}; a timed-out element still waiting is dropped from the queue, one
 * already running is left to finish and its result is discarded.
 *
 * <p>Bucketing (optional, {@link Builder#optBucketer}): elements carry a bucket number (e.g. prompt
 * length / 128 tokens) and a batch only takes elements of one bucket, so that short prompts are
 * not padded to the longest one. The oldest element's bucket goes first when it is due (no
 * starvation); a bucket that fills up goes at once. Without a bucketer batches are formed in
 * arrival order.
 */
final class MicroBatcher<I, O> implements Engine<I, O> {

    private final String name;
    private final BatchHandler<I, O> handler;
    private final Preprocessor<I> preprocessor;
    private final Executor preprocessExecutor;
    private final ExecutorService ownedPreprocessExecutor;
    private final BatchScheduler scheduler;
    private final boolean ownsScheduler;
    private final InferenceListener listener;
    private final int maxBatchSize;
    private final long maxBatchWaitNanos;
    private final long maxPreprocessWaitNanos;
    private final int capacity;
    private final boolean splitOnOutOfMemory;
    private final Duration closeTimeout;
    private final ToIntFunction<I> bucketer;
    private final ExecutorService modelThread;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object lock = new Object();
    // Guarded by lock.
    private final ArrayDeque<Pending<I, O>> queue = new ArrayDeque<>();
    private boolean running;
    private boolean closed;
    /** Requests handed to the preprocessor and not yet queued or failed. */
    private int preparing;
    private BatchScheduler.Cancellable timer;
    private long timerGeneration;

    private MicroBatcher(Builder<I, O> b) {
        this.name = b.name;
        this.handler = b.handler;
        this.preprocessor = b.preprocessor;
        this.listener = b.listener;
        this.maxBatchSize = b.maxBatchSize;
        this.maxBatchWaitNanos = b.maxBatchWait.toNanos();
        this.maxPreprocessWaitNanos = b.maxPreprocessWait.toNanos();
        this.capacity = b.capacity;
        this.splitOnOutOfMemory = b.splitOnOutOfMemory;
        this.closeTimeout = b.closeTimeout;
        this.bucketer = b.bucketer;
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = ownsScheduler ? BatchScheduler.system(name + "-timer") : b.scheduler;
        if (preprocessor == null) {
            this.preprocessExecutor = null;
            this.ownedPreprocessExecutor = null;
        } else if (b.preprocessExecutor != null || b.preprocessThreads == 0) {
            this.preprocessExecutor = b.preprocessExecutor != null ? b.preprocessExecutor : Runnable::run;
            this.ownedPreprocessExecutor = null;
        } else {
            this.ownedPreprocessExecutor = Executors.newFixedThreadPool(b.preprocessThreads, DaemonThreads.numbered(name + "-preprocess-"));
            this.preprocessExecutor = ownedPreprocessExecutor;
        }
        this.modelThread = Executors.newSingleThreadExecutor(DaemonThreads.named(name + "-model"));
    }

    static <I, O> Builder<I, O> builder() {
        return new Builder<>();
    }

    @Override
    public String mode() {
        return "static";
    }

    /** Submits one element without a per-request timeout. */
    public CompletableFuture<O> submit(I element) {
        return submit(element, null);
    }

    /**
     * Submits one element. The future completes with the element's result, or exceptionally with
     * the handler's or preprocessor's exception, a {@link TimeoutException} after {@code timeout}
     * (null or zero: none), a {@link BatcherFullException} when full, or a {@link
     * CancellationException} when the batcher is closed first.
     */
    @Override
    public CompletableFuture<O> submit(I element, Duration timeout) {
        Objects.requireNonNull(element, "element");
        if (inFlight.incrementAndGet() > capacity) {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(new BatcherFullException(
                    "batcher " + name + " already has " + capacity + " requests in flight; raise inference.capacity"
                            + " or lower the async operator's capacity"));
        }
        CompletableFuture<O> future = new SlotReleasingFuture();
        scheduler.failAfter(future, timeout, name);
        if (preprocessor == null) {
            enqueue(element, future, false);
        } else {
            synchronized (lock) {
                preparing++;
            }
            try {
                preprocessExecutor.execute(() -> {
                    if (future.isDone()) {
                        preprocessingEnded();
                        return;
                    }
                    I prepared;
                    try {
                        prepared = preprocessor.prepare(element);
                    } catch (Throwable e) {
                        preprocessingEnded();
                        future.completeExceptionally(unwrap(e));
                        return;
                    }
                    enqueue(prepared, future, true);
                });
            } catch (RuntimeException e) {
                preprocessingEnded();
                future.completeExceptionally(closed ? new CancellationException("batcher " + name + " is closed") : e);
            }
        }
        return future;
    }

    /**
     * A request's future that gives its in-flight slot back BEFORE it completes. With a plain
     * {@code whenComplete(release)} the release ran after the caller's own completion callback
     * (dependents run last-registered first), so a caller that submits its next request from that
     * callback, as Flink's async operator does when a slot frees up, found the batcher still full
     * and got a {@link BatcherFullException} for a request its own capacity had admitted.
     */
    private final class SlotReleasingFuture extends CompletableFuture<O> {
        private final AtomicBoolean released = new AtomicBoolean();

        private void release() {
            if (!isDone() && released.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public boolean complete(O value) {
            release();
            return super.complete(value);
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            release();
            return super.completeExceptionally(ex);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            release();
            return super.cancel(mayInterruptIfRunning);
        }
    }

    /** Requests waiting for the model (not counting preprocessing and the running batch). */
    @Override
    public int queueDepth() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Requests accepted and not yet completed. */
    public int inFlight() {
        return inFlight.get();
    }

    public String name() {
        return name;
    }

    /** A request left preprocessing without being queued (failed, timed out, rejected). */
    private void preprocessingEnded() {
        synchronized (lock) {
            preparing--;
            maybeDispatchLocked(Due.NOT_YET);
        }
    }

    private void enqueue(I element, CompletableFuture<O> future, boolean fromPreprocessing) {
        synchronized (lock) {
            if (fromPreprocessing) {
                preparing--;
            }
            if (closed) {
                future.completeExceptionally(new CancellationException("batcher " + name + " is closed"));
                return;
            }
            if (future.isDone()) {
                maybeDispatchLocked(Due.NOT_YET);
                return;
            }
            int bucket = bucketer == null ? 0 : bucketer.applyAsInt(element);
            queue.addLast(new Pending<>(element, future, scheduler.nanoTime(), bucket));
            maybeDispatchLocked(Due.NOT_YET);
        }
    }

    /** Which deadline of the oldest waiting request a timer says has passed. */
    private enum Due {
        NOT_YET,
        /** {@code maxBatchWait}: go, unless requests are still being preprocessed. */
        BATCH_WAIT,
        /** {@code maxBatchWait + maxPreprocessWait}: go with what is there. */
        PREPROCESS_WAIT
    }

    private void onTimer(long generation, Due due) {
        synchronized (lock) {
            if (generation != timerGeneration) {
                return;
            }
            timer = null;
            maybeDispatchLocked(due);
        }
    }

    private void maybeDispatchLocked(Due due) {
        if (closed || running) {
            return;
        }
        while (!queue.isEmpty() && queue.peekFirst().future.isDone()) {
            queue.pollFirst();
        }
        if (queue.isEmpty()) {
            cancelTimerLocked();
            return;
        }
        long now = scheduler.nanoTime();
        long waited = now - queue.peekFirst().enqueuedNanos;
        boolean batchWaitOver = due != Due.NOT_YET || waited >= maxBatchWaitNanos;
        boolean preprocessWaitOver = due == Due.PREPROCESS_WAIT || preparing == 0
                || waited >= maxBatchWaitNanos + maxPreprocessWaitNanos;
        Integer bucket;
        if (batchWaitOver && preprocessWaitOver) {
            bucket = queue.peekFirst().bucket;
        } else {
            bucket = fullBucketLocked();
        }
        if (bucket != null) {
            List<Pending<I, O>> batch = new ArrayList<>(Math.min(maxBatchSize, queue.size()));
            var it = queue.iterator();
            while (batch.size() < maxBatchSize && it.hasNext()) {
                Pending<I, O> p = it.next();
                if (p.future.isDone()) {
                    it.remove();
                } else if (p.bucket == bucket) {
                    it.remove();
                    batch.add(p);
                }
            }
            cancelTimerLocked();
            running = true;
            try {
                modelThread.execute(() -> runBatch(batch));
            } catch (RuntimeException e) {
                running = false;
                batch.forEach(p -> p.future.completeExceptionally(e));
            }
        } else if (timer == null) {
            long generation = ++timerGeneration;
            if (batchWaitOver) { // waiting for requests in preprocessing
                timer = scheduler.schedule(() -> onTimer(generation, Due.PREPROCESS_WAIT),
                        Math.max(0, maxBatchWaitNanos + maxPreprocessWaitNanos - waited));
            } else {
                timer = scheduler.schedule(() -> onTimer(generation, Due.BATCH_WAIT), maxBatchWaitNanos - waited);
            }
        }
    }

    /** The bucket of the oldest element whose bucket has {@code maxBatchSize} elements waiting, or null. */
    private Integer fullBucketLocked() {
        if (bucketer == null) {
            return queue.size() >= maxBatchSize ? 0 : null;
        }
        HashMap<Integer, Integer> counts = new HashMap<>();
        for (Pending<I, O> p : queue) {
            if (!p.future.isDone() && counts.merge(p.bucket, 1, Integer::sum) >= maxBatchSize) {
                return p.bucket;
            }
        }
        return null;
    }

    private void cancelTimerLocked() {
        timerGeneration++;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void runBatch(List<Pending<I, O>> batch) {
        try {
            execute(batch);
        } finally {
            synchronized (lock) {
                running = false;
                maybeDispatchLocked(Due.NOT_YET);
            }
        }
    }

    /** Runs a batch on the model thread; on failure retries split or element-wise. */
    private void execute(List<Pending<I, O>> batch) {
        List<Pending<I, O>> live = new ArrayList<>(batch.size());
        for (Pending<I, O> p : batch) {
            if (!p.future.isDone()) {
                live.add(p);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        List<I> inputs = new ArrayList<>(live.size());
        live.forEach(p -> inputs.add(p.element));
        long start = scheduler.nanoTime();
        List<O> outputs;
        try {
            outputs = handler.run(inputs);
            if (outputs == null || outputs.size() != inputs.size()) {
                throw new IllegalStateException("batch handler of " + name + " returned "
                        + (outputs == null ? "null" : outputs.size() + " results") + " for " + inputs.size() + " inputs");
            }
        } catch (Throwable t) {
            listener.onBatch(live.size(), scheduler.nanoTime() - start, false);
            if (closedSafely()) {
                live.forEach(p -> p.future.completeExceptionally(new CancellationException("batcher " + name + " is closed")));
                return;
            }
            if (live.size() == 1) {
                live.get(0).future.completeExceptionally(t);
            } else if (splitOnOutOfMemory && OutOfMemoryDetector.isOutOfMemory(t)) {
                listener.onOutOfMemorySplit(live.size());
                int half = live.size() / 2;
                execute(live.subList(0, half));
                execute(live.subList(half, live.size()));
            } else {
                listener.onElementwiseRetry(live.size());
                for (Pending<I, O> p : live) {
                    execute(List.of(p));
                }
            }
            return;
        }
        listener.onBatch(live.size(), scheduler.nanoTime() - start, true);
        for (int i = 0; i < live.size(); i++) {
            live.get(i).future.complete(outputs.get(i));
        }
    }

    private boolean closedSafely() {
        synchronized (lock) {
            return closed;
        }
    }

    /**
     * Fails queued requests with {@link CancellationException}, waits up to the close timeout for
     * the running batch (so the caller may release the model afterwards), then stops the threads.
     */
    @Override
    public void close() {
        List<Pending<I, O>> dropped;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            cancelTimerLocked();
            dropped = new ArrayList<>(queue);
            queue.clear();
        }
        dropped.forEach(p -> p.future.completeExceptionally(new CancellationException("batcher " + name + " is closed")));
        modelThread.shutdown();
        try {
            if (!modelThread.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                modelThread.shutdownNow();
            }
        } catch (InterruptedException e) {
            modelThread.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (ownedPreprocessExecutor != null) {
            ownedPreprocessExecutor.shutdownNow();
        }
        if (ownsScheduler) {
            scheduler.close();
        }
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }


    private static final class Pending<I, O> {
        final I element;
        final CompletableFuture<O> future;
        final long enqueuedNanos;
        final int bucket;

        Pending(I element, CompletableFuture<O> future, long enqueuedNanos, int bucket) {
            this.element = element;
            this.future = future;
            this.enqueuedNanos = enqueuedNanos;
            this.bucket = bucket;
        }
    }

    /** Builder: {@code setName} and {@code setHandler} are required, the rest optional. */
    static final class Builder<I, O> {
        private String name;
        private BatchHandler<I, O> handler;
        private Preprocessor<I> preprocessor;
        private Executor preprocessExecutor;
        private int preprocessThreads = 2;
        private BatchScheduler scheduler;
        private InferenceListener listener = InferenceListener.NONE;
        private int maxBatchSize = 8;
        private Duration maxBatchWait = Duration.ofMillis(20);
        private Duration maxPreprocessWait = Duration.ofMillis(100);
        private int capacity = 256;
        private boolean splitOnOutOfMemory = true;
        private Duration closeTimeout = Duration.ofSeconds(30);
        private ToIntFunction<I> bucketer;

        private Builder() {}

        /** Names the threads and appears in error messages, e.g. {@code caption-gpu0-3}. */
        public Builder<I, O> setName(String name) { this.name = name; return this; }
        public Builder<I, O> setHandler(BatchHandler<I, O> handler) { this.handler = handler; return this; }
        /** Runs {@code preprocessor} on an own pool of {@link #optPreprocessThreads} threads. */
        public Builder<I, O> optPreprocessor(Preprocessor<I> preprocessor) { this.preprocessor = preprocessor; return this; }
        /** Runs the preprocessor on {@code executor} (not shut down by the batcher). */
        public Builder<I, O> optPreprocessExecutor(Executor executor) { this.preprocessExecutor = executor; return this; }
        /** Size of the own preprocessing pool; 0 runs preprocessing on the submitting thread (tests, trivial inputs). */
        public Builder<I, O> optPreprocessThreads(int threads) { this.preprocessThreads = threads; return this; }
        /** Clock and timer; default: a wall-clock scheduler owned and closed by the batcher. */
        public Builder<I, O> optScheduler(BatchScheduler scheduler) { this.scheduler = scheduler; return this; }
        public Builder<I, O> optListener(InferenceListener listener) { this.listener = listener; return this; }
        public Builder<I, O> optMaxBatchSize(int maxBatchSize) { this.maxBatchSize = maxBatchSize; return this; }
        public Builder<I, O> optMaxBatchWait(Duration maxBatchWait) { this.maxBatchWait = maxBatchWait; return this; }
        /**
         * How much longer than {@code maxBatchWait} a due batch that is not full waits for requests
         * still being preprocessed; zero: it does not wait for them. Default 100 ms.
         */
        public Builder<I, O> optMaxPreprocessWait(Duration maxPreprocessWait) { this.maxPreprocessWait = maxPreprocessWait; return this; }
        public Builder<I, O> optCapacity(int capacity) { this.capacity = capacity; return this; }
        public Builder<I, O> optSplitOnOutOfMemory(boolean split) { this.splitOnOutOfMemory = split; return this; }
        public Builder<I, O> optCloseTimeout(Duration closeTimeout) { this.closeTimeout = closeTimeout; return this; }
        /** Batches only elements of equal bucket (computed after preprocessing), e.g. prompt length / 128. */
        public Builder<I, O> optBucketer(ToIntFunction<I> bucketer) { this.bucketer = bucketer; return this; }

        public MicroBatcher<I, O> build() {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("MicroBatcher needs a name: call setName(...), e.g. \"caption-0\"");
            }
            if (handler == null) {
                throw new IllegalArgumentException("MicroBatcher " + name + " needs a batch handler: call setHandler(...)");
            }
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
            }
            if (maxBatchWait == null || maxBatchWait.isNegative()) {
                throw new IllegalArgumentException("maxBatchWait must be >= 0, got " + maxBatchWait);
            }
            if (maxPreprocessWait == null || maxPreprocessWait.isNegative()) {
                throw new IllegalArgumentException("maxPreprocessWait must be >= 0, got " + maxPreprocessWait);
            }
            if (capacity < maxBatchSize) {
                throw new IllegalArgumentException("capacity (" + capacity + ") must be >= maxBatchSize (" + maxBatchSize + ")");
            }
            if (preprocessThreads < 0) {
                throw new IllegalArgumentException("preprocessThreads must be >= 0, got " + preprocessThreads);
            }
            if (listener == null) {
                throw new IllegalArgumentException("listener must not be null; omit optListener for none");
            }
            if (closeTimeout == null || closeTimeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must be >= 0, got " + closeTimeout);
            }
            return new MicroBatcher<>(this);
        }
    }
}
