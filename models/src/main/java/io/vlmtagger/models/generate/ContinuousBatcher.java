package io.vlmtagger.models.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Continuous (in-flight) batching of greedy generation on one device: one loop thread runs decode
 * steps for every running row; requests that arrive while it runs join at the next step boundary
 * instead of waiting for the batch to finish. At each boundary the loop
 * <ol>
 *   <li>takes up to {@code maxRows - running} queued requests (under a backlog only once {@code
 *       min(minJoinRows, queued)} rows are free, so joiners are prefilled in groups), builds their prompts with the
 *       {@link PromptBuilder} as their own small left-padded batch and prefills it into a fresh
 *       cache (each joiner's first token comes from that prefill);
 *   <li>appends the joiners' cache rows to the running cache ({@link KvCache#appendRows}, the
 *       shorter side left-padded; the host-side masks are padded alike);
 *   <li>runs one decode step for all rows, completes rows that emitted eos or reached their
 *       {@code maxNewTokens}, drops them ({@link KvCache#reorder}) and drops cache columns that
 *       are padding in every remaining row ({@link KvCache#dropLeadingPositions}), so the cache
 *       never grows beyond the longest running row.
 * </ol>
 * Positions come from the masks inside the decoder, so padding added by a join never moves a real
 * token: a row's tokens are those it would get alone (up to float rounding of a different batch
 * shape). Greedy only: beam search and sampling stay on {@link Generator}'s static batches.
 *
 * <p>A caller may cancel (or time out) a request's future; the row is dropped at the next step
 * boundary. The queue is bounded: {@link #submit} fails fast with a {@link
 * RejectedExecutionException} when full. {@link #close} fails queued and running requests with a
 * {@link CancellationException}. All tensors live in a manager from the manager factory, owned
 * by the loop thread; nothing is created in the model's manager.
 */
public final class ContinuousBatcher<R> implements AutoCloseable {
    /** Builds one left-padded prompt batch (embeddings or ids, and mask) for {@code requests}, in {@code manager}. */
    @FunctionalInterface
    public interface PromptBuilder<R> {
        GenerationInput build(NDManager manager, List<R> requests);
    }

    private final String name;
    private final CausalDecoder decoder;
    private final long[] eosTokenIds;
    private final PromptBuilder<R> promptBuilder;
    private final int maxRows;
    private final int minJoinRows;
    private final int queueCapacity;
    private final Duration closeTimeout;
    private final LongSupplier nanoClock;
    private final BlockingQueue<ContinuousRow<R>> queue;
    private final Thread loopThread;
    private volatile boolean closed;
    private volatile int runningRows;
    private volatile long iterations;

    private ContinuousBatcher(Builder<R> b) {
        this.name = b.name;
        this.decoder = b.decoder;
        this.eosTokenIds = b.eosTokenIds;
        this.promptBuilder = b.promptBuilder;
        this.maxRows = b.maxRows;
        this.minJoinRows = b.minJoinRows == 0 ? Math.max(1, b.maxRows / 4) : b.minJoinRows;
        this.queueCapacity = b.queueCapacity;
        this.closeTimeout = b.closeTimeout;
        this.nanoClock = b.nanoClock;
        this.queue = new LinkedBlockingQueue<>(b.queueCapacity);
        DecodeLoop<R> loop = new DecodeLoop<>(this, b.managerFactory);
        this.loopThread = new Thread(loop::run, name);
        loopThread.setDaemon(true);
        loopThread.start();
    }

    public static <R> Builder<R> builder() {
        return new Builder<>();
    }

    /**
     * Queues a request for up to {@code maxNewTokens} greedy tokens. The future completes on the
     * loop thread; it fails with the prompt builder's or decoder's exception, a {@link
     * RejectedExecutionException} when the queue is full, or a {@link CancellationException} when
     * the batcher is closed first.
     */
    public CompletableFuture<Completion> submit(R request, int maxNewTokens) {
        Objects.requireNonNull(request, "request");
        if (maxNewTokens < 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("maxNewTokens must be >= 1, got " + maxNewTokens));
        }
        ContinuousRow<R> row = new ContinuousRow<>(request, maxNewTokens, nanoClock.getAsLong());
        if (closed) {
            row.future.completeExceptionally(closedException());
            return row.future;
        }
        if (!queue.offer(row)) {
            row.future.completeExceptionally(new RejectedExecutionException("continuous batcher " + name
                    + " has " + queueCapacity + " requests queued (its capacity): retry later or raise the capacity"));
            return row.future;
        }
        if (closed && queue.remove(row)) {
            row.future.completeExceptionally(closedException());
        }
        return row.future;
    }

    /** Requests waiting to join. */
    public int queueDepth() {
        return queue.size();
    }

    /** Rows in the running batch after the last step. */
    public int runningRows() {
        return runningRows;
    }

    public String name() {
        return name;
    }

    /**
     * Stops the loop after its current step (waiting up to the close timeout), then fails every
     * queued and running request with a {@link CancellationException}.
     */
    @Override
    public void close() {
        closed = true;
        try {
            loopThread.join(closeTimeout.toMillis() + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failQueued();
    }

    // ---- for DecodeLoop (same package, loop thread) ----

    CausalDecoder decoder() { return decoder; }
    PromptBuilder<R> promptBuilder() { return promptBuilder; }
    int maxRows() { return maxRows; }
    long nanoTime() { return nanoClock.getAsLong(); }
    boolean closed() { return closed; }
    /** Called at the end of each loop iteration, after that iteration's native cleanup. */
    void endIteration(int rows) {
        runningRows = rows;
        iterations++;
    }

    /** Loop iterations finished (the idle loop also counts up, every poll); for tests. */
    long iterations() {
        return iterations;
    }

    boolean isEos(long token) {
        for (long eos : eosTokenIds) {
            if (eos == token) {
                return true;
            }
        }
        return false;
    }

    /**
     * Up to {@code max} live queued rows; waits up to {@code waitMs} for the first when {@code
     * waitMs > 0} (nothing running). While rows run, takes nothing until {@code max} reaches
     * {@code min(minJoinRows, queued)}: under a backlog, joiners are prefilled in groups rather than
     * one forward per finished row.
     */
    List<ContinuousRow<R>> take(int max, long waitMs) throws InterruptedException {
        List<ContinuousRow<R>> out = new ArrayList<>();
        if (max <= 0 || (waitMs == 0 && max < Math.min(minJoinRows, queue.size()))) {
            return out;
        }
        if (waitMs > 0) {
            ContinuousRow<R> first = queue.poll(waitMs, TimeUnit.MILLISECONDS);
            if (first != null && !first.future.isDone()) {
                out.add(first);
            }
        }
        while (out.size() < max) {
            ContinuousRow<R> next = queue.poll();
            if (next == null) {
                break;
            }
            if (!next.future.isDone()) { // cancelled or timed out while queued
                out.add(next);
            }
        }
        return out;
    }

    CancellationException closedException() {
        return new CancellationException("continuous batcher " + name + " is closed; the request did not finish");
    }

    void failQueued() {
        ContinuousRow<R> row;
        while ((row = queue.poll()) != null) {
            row.future.completeExceptionally(closedException());
        }
    }

    /** Builder: {@code setDecoder}, {@code setEosTokenIds} and {@code setPromptBuilder} are required. */
    public static final class Builder<R> {
        private String name = "continuous-batcher";
        private CausalDecoder decoder;
        private long[] eosTokenIds;
        private PromptBuilder<R> promptBuilder;
        private int maxRows = 8;
        private int minJoinRows;
        private int queueCapacity = 64;
        private Duration closeTimeout = Duration.ofSeconds(30);
        private Supplier<NDManager> managerFactory = NDManager::newBaseManager;
        private LongSupplier nanoClock = System::nanoTime;

        private Builder() {}

        public Builder<R> setDecoder(CausalDecoder decoder) { this.decoder = decoder; return this; }
        public Builder<R> setEosTokenIds(long... ids) { this.eosTokenIds = ids == null ? null : ids.clone(); return this; }
        public Builder<R> setPromptBuilder(PromptBuilder<R> promptBuilder) { this.promptBuilder = promptBuilder; return this; }
        /** Name of the loop thread and of the batcher in messages. */
        public Builder<R> optName(String name) { this.name = name; return this; }
        /** Most rows decoded together (running rows plus joiners); default 8. */
        public Builder<R> optMaxRows(int maxRows) { this.maxRows = maxRows; return this; }
        /**
         * While rows are running and requests queue up, wait until this many rows are free (or all
         * queued requests fit) before a join: one prefill per group instead of one per finished
         * row. Default (0): a quarter of {@code maxRows}, at least 1; 1 joins at every boundary.
         */
        public Builder<R> optMinJoinRows(int minJoinRows) { this.minJoinRows = minJoinRows; return this; }
        /** Most requests waiting to join; beyond it {@code submit} fails fast. Default 64. */
        public Builder<R> optQueueCapacity(int queueCapacity) { this.queueCapacity = queueCapacity; return this; }
        public Builder<R> optCloseTimeout(Duration closeTimeout) { this.closeTimeout = closeTimeout; return this; }
        /** Makes the loop's long-lived manager, on the model's device (default: a base manager on the default device). */
        public Builder<R> optManagerFactory(Supplier<NDManager> managerFactory) { this.managerFactory = managerFactory; return this; }
        /** Monotonic clock in nanoseconds for the timings. */
        public Builder<R> optNanoClock(LongSupplier nanoClock) { this.nanoClock = nanoClock; return this; }

        public ContinuousBatcher<R> build() {
            if (decoder == null) {
                throw new IllegalArgumentException("setDecoder(...) is required: the language model to drive");
            }
            if (eosTokenIds == null || eosTokenIds.length == 0) {
                throw new IllegalArgumentException("setEosTokenIds(...) is required: generation_config.json's eos_token_id");
            }
            if (promptBuilder == null) {
                throw new IllegalArgumentException("setPromptBuilder(...) is required: how a group of requests becomes a prompt batch");
            }
            if (minJoinRows < 0 || minJoinRows > maxRows) {
                throw new IllegalArgumentException("minJoinRows must be in [0, maxRows=" + maxRows + "], got " + minJoinRows);
            }
            if (maxRows < 1 || queueCapacity < 1) {
                throw new IllegalArgumentException("maxRows and queueCapacity must be >= 1, got " + maxRows + " and " + queueCapacity);
            }
            if (closeTimeout == null || closeTimeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must be >= 0, got " + closeTimeout);
            }
            Objects.requireNonNull(managerFactory, "managerFactory");
            Objects.requireNonNull(nanoClock, "nanoClock");
            return new ContinuousBatcher<>(this);
        }
    }

    static long[] argMax(NDArray logits, int rows) {
        long[] ids = logits.argMax(1).toType(DataType.INT64, false).toLongArray();
        if (ids.length != rows) {
            throw new IllegalStateException("decoder returned last-position logits of shape " + logits.getShape()
                    + ", expected [" + rows + ", V]");
        }
        return ids;
    }
}
