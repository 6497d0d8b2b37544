package io.vlmtagger.operators.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The one inference runtime of the operators: plain Java, no Flink and no stage. A stage hands it
 * a {@link ModelHandler} (prepare one input, run a batch) and submits inputs; each {@link #submit}
 * returns an {@link InferenceFuture}. The runtime owns what every stage needs the same way:
 *
 * <ul>
 *   <li><b>batching</b>: static micro-batches ({@link MicroBatcher}: batch size and wait, waiting
 *       for inputs still in preprocessing, optional bucketing), or, with {@link
 *       Builder#optContinuous}, the model's own continuous-batching loop;
 *   <li><b>the device</b>: static batches run through the device's {@link DeviceGate}, which
 *       bounds the batches running at once on one device over all slots of the JVM;
 *   <li><b>deadlines and retries</b>: a timeout per attempt, up to {@code maxAttempts} attempts
 *       for failures a retry may fix, none for undecodable images or requests the model refuses;
 *   <li><b>poison isolation and out-of-memory splitting</b>: a failed batch is retried row by row,
 *       an out-of-memory batch in halves, so one bad input fails only itself;
 *   <li><b>dedup</b> (opt-in): identical inputs in flight share one model call, a bounded cache
 *       answers repeats;
 *   <li><b>metrics and failure reasons</b>: an {@link InferenceListener} sees batches, retries and
 *       results; a failed request ends in an {@link InferenceException} with phase and reason.
 * </ul>
 *
 * <p>Closing cancels what is queued (those futures fail with a {@link
 * java.util.concurrent.CancellationException}), waits for the running batch up to the close
 * timeout, and stops the threads; the caller releases the model afterwards.
 */
public final class InferenceRuntime<I, O> implements AutoCloseable {
    private final Engine<I, O> engine;
    private final BatchScheduler scheduler;
    private final boolean ownsScheduler;
    private final Attempts<I, O> attempts;
    private final ResultDedup<DedupKey, O> dedup;
    private final Function<I, DedupKey> dedupKey;

    private InferenceRuntime(Builder<I, O> b) {
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = ownsScheduler ? BatchScheduler.system(b.name + "-timer") : b.scheduler;
        if (b.continuous != null) {
            this.engine = new ContinuousEngine<>(b.name, b.handler, b.continuous, scheduler, b.preprocessThreads);
        } else {
            ModelHandler<I, O> handler = b.handler;
            DeviceGate gate = b.gate;
            this.engine = MicroBatcher.<I, O>builder()
                    .setName(b.name)
                    .setHandler(batch -> gate.run(() -> handler.runBatch(batch)))
                    .optPreprocessor(handler::preprocess)
                    .optPreprocessThreads(b.preprocessThreads)
                    .optScheduler(scheduler)
                    .optListener(b.listener)
                    .optMaxBatchSize(b.maxBatchSize)
                    .optMaxBatchWait(b.maxBatchWait)
                    .optMaxPreprocessWait(b.maxPreprocessWait)
                    .optCapacity(b.capacity)
                    .optSplitOnOutOfMemory(b.splitOnOutOfMemory)
                    .optCloseTimeout(b.closeTimeout)
                    .optBucketer(b.bucketer)
                    .build();
        }
        this.attempts = new Attempts<>(engine, b.timeout, b.maxAttempts, b.listener, b.newTokens);
        this.dedup = b.dedupKey == null ? null : new ResultDedup<>(b.dedupCacheEntries);
        this.dedupKey = b.dedupKey;
    }

    public static <I, O> Builder<I, O> builder() {
        return new Builder<>();
    }

    /**
     * Submits one input. The future completes with its output, fails with an {@link
     * InferenceException} when the request is given up, or with a {@link
     * java.util.concurrent.CancellationException} when the runtime closes first. With dedup, an
     * input identical to one in flight or recently answered gets that one's outcome.
     */
    public InferenceFuture<O> submit(I input) {
        Objects.requireNonNull(input, "input");
        InferenceFuture<O> result = new InferenceFuture<>();
        DedupKey key = dedup == null ? null : dedupKey.apply(input);
        if (key != null) {
            ResultDedup.Admission role = dedup.admit(key, (value, failure) -> {
                if (failure == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(failure);
                }
            });
            if (role != ResultDedup.Admission.LEAD) {
                return result; // answered from the cache, or shares the identical request in flight
            }
            result.whenComplete((value, failure) -> {
                if (failure == null) {
                    dedup.complete(key, value);
                } else {
                    dedup.fail(key, Failures.unwrap(failure));
                }
            });
        }
        attempts.start(input, result);
        return result;
    }

    /** Inputs waiting for the model (queued or being preprocessed). */
    public int queueDepth() {
        return engine.queueDepth();
    }

    /** "static" (micro-batches) or "continuous" (the model's own loop). */
    public String mode() {
        return engine.mode();
    }

    /** Requests that shared a model call still running (0 without dedup). */
    public long dedupHits() {
        return dedup == null ? 0 : dedup.dedupHits();
    }

    /** Requests answered from the result cache (0 without dedup). */
    public long cacheHits() {
        return dedup == null ? 0 : dedup.cacheHits();
    }

    @Override
    public void close() {
        try {
            engine.close();
        } finally {
            if (ownsScheduler) {
                scheduler.close();
            }
        }
    }

    /** Builder: {@code setName} and {@code setHandler} are required, the rest optional. */
    public static final class Builder<I, O> {
        private String name;
        private ModelHandler<I, O> handler;
        private ContinuousModel<I, O> continuous;
        private DeviceGate gate;
        private BatchScheduler scheduler;
        private InferenceListener listener = InferenceListener.NONE;
        private ToIntFunction<O> newTokens = o -> 0;
        private ToIntFunction<I> bucketer;
        private int maxBatchSize = 8;
        private Duration maxBatchWait = Duration.ofMillis(20);
        private Duration maxPreprocessWait = Duration.ofMillis(100);
        private int capacity = 256;
        private int preprocessThreads = 2;
        private boolean splitOnOutOfMemory = true;
        private Duration closeTimeout = Duration.ofSeconds(30);
        private Duration timeout = Duration.ofSeconds(60);
        private int maxAttempts = 3;
        private int dedupCacheEntries;
        private Function<I, DedupKey> dedupKey;

        private Builder() {}

        /** Names the threads and appears in error messages, e.g. {@code caption-gpu0-3}. */
        public Builder<I, O> setName(String name) { this.name = name; return this; }
        public Builder<I, O> setHandler(ModelHandler<I, O> handler) { this.handler = handler; return this; }
        /** Rows go one by one into the model's continuous-batching loop instead of static micro-batches. */
        public Builder<I, O> optContinuous(ContinuousModel<I, O> continuous) { this.continuous = continuous; return this; }
        /** The device's gate for static batches; default: no limit. */
        public Builder<I, O> optGate(DeviceGate gate) { this.gate = gate; return this; }
        /** Clock and timer; default: a wall-clock scheduler owned and closed by the runtime. */
        public Builder<I, O> optScheduler(BatchScheduler scheduler) { this.scheduler = scheduler; return this; }
        public Builder<I, O> optListener(InferenceListener listener) { this.listener = listener; return this; }
        /** How many tokens an output generated, for {@link InferenceListener#onResult}. */
        public Builder<I, O> optNewTokens(ToIntFunction<O> newTokens) { this.newTokens = newTokens; return this; }
        /** Static batches only take rows of one bucket (computed after preprocessing), e.g. prompt length / 128. */
        public Builder<I, O> optBucketer(ToIntFunction<I> bucketer) { this.bucketer = bucketer; return this; }
        public Builder<I, O> optMaxBatchSize(int v) { this.maxBatchSize = v; return this; }
        public Builder<I, O> optMaxBatchWait(Duration v) { this.maxBatchWait = v; return this; }
        /** How much longer than the batch wait a due batch that is not full waits for rows still in preprocessing. */
        public Builder<I, O> optMaxPreprocessWait(Duration v) { this.maxPreprocessWait = v; return this; }
        /** Most rows in flight; beyond it an attempt fails as {@code overloaded}. */
        public Builder<I, O> optCapacity(int v) { this.capacity = v; return this; }
        /** Preprocessing threads; 0 prepares on the submitting thread (tests, trivial inputs). */
        public Builder<I, O> optPreprocessThreads(int v) { this.preprocessThreads = v; return this; }
        public Builder<I, O> optSplitOnOutOfMemory(boolean v) { this.splitOnOutOfMemory = v; return this; }
        /** How long closing waits for the running batch. */
        public Builder<I, O> optCloseTimeout(Duration v) { this.closeTimeout = v; return this; }
        /** Time one attempt (queueing, preprocessing, the model call) may take. */
        public Builder<I, O> optTimeout(Duration v) { this.timeout = v; return this; }
        public Builder<I, O> optMaxAttempts(int v) { this.maxAttempts = v; return this; }

        /**
         * Deduplication: inputs with equal {@code key} (null: not deduplicated) share one model call
         * while it runs, and up to {@code cacheEntries} outputs (LRU; 0 = in-flight sharing only)
         * answer repeats without the model. Failures are never cached.
         */
        public Builder<I, O> optDedup(int cacheEntries, Function<I, DedupKey> key) {
            if (cacheEntries < 0) {
                throw new IllegalArgumentException("optDedup(cacheEntries) needs cacheEntries >= 0 (0 = share in-flight"
                        + " requests only); omit the call to turn deduplication off");
            }
            this.dedupCacheEntries = cacheEntries;
            this.dedupKey = Objects.requireNonNull(key, "key");
            return this;
        }

        public InferenceRuntime<I, O> build() {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("InferenceRuntime needs a name: call setName(...), e.g. \"caption-cpu-0\"");
            }
            if (handler == null) {
                throw new IllegalArgumentException("InferenceRuntime " + name + " needs a model handler: call setHandler(...)");
            }
            if (listener == null || newTokens == null) {
                throw new IllegalArgumentException("listener and newTokens must not be null; omit the opt call for the default");
            }
            if (timeout == null || timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must be > 0, got " + timeout);
            }
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
            }
            if (preprocessThreads < 0) {
                throw new IllegalArgumentException("preprocessThreads must be >= 0, got " + preprocessThreads);
            }
            if (gate == null) {
                gate = DeviceGate.unlimited("unnamed");
            }
            return new InferenceRuntime<>(this);
        }
    }
}
