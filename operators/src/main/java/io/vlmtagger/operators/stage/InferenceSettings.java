package io.vlmtagger.operators.stage;

import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.operators.runtime.DeviceGate;
import io.vlmtagger.operators.runtime.InferenceRuntime;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of {@link InferenceOptions}, validated, in a serializable object that the operators
 * carry. Build with {@link #fromConfig} (job configuration) or {@link #builder()} (tests).
 */
public final class InferenceSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int maxBatchSize;
    private final Duration maxBatchWait;
    private final Duration maxPreprocessWait;
    private final int capacity;
    private final Duration timeout;
    private final int maxAttempts;
    private final int preprocessThreads;
    private final boolean splitOnOutOfMemory;
    private final Duration shutdownTimeout;
    private final ArrayList<String> devices;
    private final String gpuResourceName;
    private final Integer deviceConcurrency;
    private final long maxInFlightBytes;
    private final GenerationOptions captionGeneration;
    private final String captionPrompt;
    private final GenerationOptions chatGeneration;
    private final Duration chatHistoryTtl;
    private final int chatHistoryMaxTurns;
    private final int chatPromptBucketTokens;
    private final boolean chatContinuousBatching;

    private InferenceSettings(ReadableConfig c) {
        this.maxBatchSize = c.get(InferenceOptions.MAX_BATCH_SIZE);
        this.maxBatchWait = c.get(InferenceOptions.MAX_BATCH_WAIT);
        this.maxPreprocessWait = c.get(InferenceOptions.MAX_PREPROCESS_WAIT);
        this.capacity = c.get(InferenceOptions.CAPACITY);
        this.timeout = c.get(InferenceOptions.TIMEOUT);
        this.maxAttempts = c.get(InferenceOptions.MAX_ATTEMPTS);
        this.preprocessThreads = c.get(InferenceOptions.PREPROCESS_THREADS);
        this.splitOnOutOfMemory = c.get(InferenceOptions.SPLIT_ON_OOM);
        this.shutdownTimeout = c.get(InferenceOptions.SHUTDOWN_TIMEOUT);
        this.devices = new ArrayList<>(c.get(InferenceOptions.DEVICES));
        this.gpuResourceName = c.get(InferenceOptions.GPU_RESOURCE_NAME);
        this.deviceConcurrency = c.getOptional(InferenceOptions.DEVICE_CONCURRENCY).orElse(null);
        this.maxInFlightBytes = c.get(InferenceOptions.MAX_IN_FLIGHT_BYTES).getBytes();
        this.captionGeneration = GenerationOptions.builder()
                .optMaxNewTokens(c.get(InferenceOptions.CAPTION_MAX_NEW_TOKENS))
                .optNumBeams(c.get(InferenceOptions.CAPTION_NUM_BEAMS))
                .build();
        this.captionPrompt = c.getOptional(InferenceOptions.CAPTION_PROMPT).orElse(null);
        this.chatGeneration = GenerationOptions.greedy(c.get(InferenceOptions.CHAT_MAX_NEW_TOKENS));
        this.chatHistoryTtl = c.get(InferenceOptions.CHAT_HISTORY_TTL);
        this.chatHistoryMaxTurns = c.get(InferenceOptions.CHAT_HISTORY_MAX_TURNS);
        this.chatPromptBucketTokens = c.get(InferenceOptions.CHAT_PROMPT_BUCKET_TOKENS);
        this.chatContinuousBatching = c.get(InferenceOptions.CHAT_CONTINUOUS_BATCHING);
    }

    /** Reads and validates the {@link InferenceOptions} keys of a job configuration. */
    public static InferenceSettings fromConfig(ReadableConfig config) {
        validate(config);
        return new InferenceSettings(config);
    }

    public static InferenceSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxBatchSize() { return maxBatchSize; }
    public Duration maxBatchWait() { return maxBatchWait; }
    public Duration maxPreprocessWait() { return maxPreprocessWait; }
    public int capacity() { return capacity; }
    /** Per attempt. */
    public Duration timeout() { return timeout; }
    public int maxAttempts() { return maxAttempts; }
    public int preprocessThreads() { return preprocessThreads; }
    public boolean splitOnOutOfMemory() { return splitOnOutOfMemory; }
    public Duration shutdownTimeout() { return shutdownTimeout; }

    /**
     * Applies the runtime knobs (batch size and waits, capacity, preprocess threads, OOM split,
     * close timeout, attempt timeout and attempts) to {@code b}.
     */
    public <I, O> InferenceRuntime.Builder<I, O> configure(InferenceRuntime.Builder<I, O> b) {
        return b.optPreprocessThreads(preprocessThreads())
                .optMaxBatchSize(maxBatchSize())
                .optMaxBatchWait(maxBatchWait())
                .optMaxPreprocessWait(maxPreprocessWait())
                .optCapacity(capacity())
                .optSplitOnOutOfMemory(splitOnOutOfMemory())
                .optCloseTimeout(shutdownTimeout())
                .optTimeout(timeout())
                .optMaxAttempts(maxAttempts());
    }
    public List<String> devices() { return List.copyOf(devices); }
    public String gpuResourceName() { return gpuResourceName; }
    /**
     * Batches at once on {@code device} over the slots of a TaskManager: the configured value, else
     * {@link DeviceGate#defaultPermits} (1 on the CPU, 4 on a GPU); 0: no limit.
     */
    public int deviceConcurrency(String device) {
        return deviceConcurrency != null ? deviceConcurrency : DeviceGate.defaultPermits(device);
    }
    /** Bytes of requests one inference subtask holds in flight (see {@link InferenceOptions#MAX_IN_FLIGHT_BYTES}). */
    public long maxInFlightBytes() { return maxInFlightBytes; }
    public GenerationOptions captionGeneration() { return captionGeneration; }
    /** May be null: unconditional captions. */
    public String captionPrompt() { return captionPrompt; }
    public GenerationOptions chatGeneration() { return chatGeneration; }
    public Duration chatHistoryTtl() { return chatHistoryTtl; }
    public int chatHistoryMaxTurns() { return chatHistoryMaxTurns; }
    /** 0: no bucketing. */
    public int chatPromptBucketTokens() { return chatPromptBucketTokens; }
    /** Chat questions go to the model's continuous-batching loop (when it has one). */
    public boolean chatContinuousBatching() { return chatContinuousBatching; }

    /**
     * The timeout to give Flink's async operator: a backstop over all attempts (each attempt has its
     * own {@link #timeout()}), plus the batch wait and a second of slack per attempt.
     */
    public Duration operatorTimeout() {
        return timeout.plus(maxBatchWait).plus(maxPreprocessWait).plusSeconds(1).multipliedBy(maxAttempts);
    }

    /** Builder over the same keys as the job configuration; every value is optional. */
    public static final class Builder {
        private final Configuration config = new Configuration();

        private Builder() {}

        public <T> Builder opt(ConfigOption<T> option, T value) {
            config.set(option, value);
            return this;
        }

        public Builder optMaxBatchSize(int v) { return opt(InferenceOptions.MAX_BATCH_SIZE, v); }
        public Builder optMaxBatchWait(Duration v) { return opt(InferenceOptions.MAX_BATCH_WAIT, v); }
        public Builder optMaxPreprocessWait(Duration v) { return opt(InferenceOptions.MAX_PREPROCESS_WAIT, v); }
        public Builder optCapacity(int v) { return opt(InferenceOptions.CAPACITY, v); }
        public Builder optTimeout(Duration v) { return opt(InferenceOptions.TIMEOUT, v); }
        public Builder optMaxAttempts(int v) { return opt(InferenceOptions.MAX_ATTEMPTS, v); }
        public Builder optPreprocessThreads(int v) { return opt(InferenceOptions.PREPROCESS_THREADS, v); }
        public Builder optShutdownTimeout(Duration v) { return opt(InferenceOptions.SHUTDOWN_TIMEOUT, v); }
        public Builder optDevices(List<String> v) { return opt(InferenceOptions.DEVICES, v); }
        public Builder optDeviceConcurrency(int v) { return opt(InferenceOptions.DEVICE_CONCURRENCY, v); }
        public Builder optMaxInFlightBytes(long v) { return opt(InferenceOptions.MAX_IN_FLIGHT_BYTES, new MemorySize(v)); }
        public Builder optChatHistoryTtl(Duration v) { return opt(InferenceOptions.CHAT_HISTORY_TTL, v); }
        public Builder optChatHistoryMaxTurns(int v) { return opt(InferenceOptions.CHAT_HISTORY_MAX_TURNS, v); }
        public Builder optChatPromptBucketTokens(int v) { return opt(InferenceOptions.CHAT_PROMPT_BUCKET_TOKENS, v); }
        public Builder optChatContinuousBatching(boolean v) { return opt(InferenceOptions.CHAT_CONTINUOUS_BATCHING, v); }

        public InferenceSettings build() {
            return fromConfig(config);
        }
    }

    private static void validate(ReadableConfig config) {
        int maxBatch = config.get(InferenceOptions.MAX_BATCH_SIZE);
        int capacity = config.get(InferenceOptions.CAPACITY);
        if (maxBatch < 1) {
            throw new IllegalArgumentException(InferenceOptions.MAX_BATCH_SIZE.key() + " must be >= 1, got " + maxBatch);
        }
        if (capacity < maxBatch) {
            throw new IllegalArgumentException(InferenceOptions.CAPACITY.key() + " (" + capacity + ") must be >= "
                    + InferenceOptions.MAX_BATCH_SIZE.key() + " (" + maxBatch + ")");
        }
        requirePositive(InferenceOptions.TIMEOUT.key(), config.get(InferenceOptions.TIMEOUT));
        requirePositive(InferenceOptions.CHAT_HISTORY_TTL.key(), config.get(InferenceOptions.CHAT_HISTORY_TTL));
        if (config.get(InferenceOptions.MAX_BATCH_WAIT).isNegative()) {
            throw new IllegalArgumentException(InferenceOptions.MAX_BATCH_WAIT.key() + " must be >= 0");
        }
        if (config.get(InferenceOptions.MAX_PREPROCESS_WAIT).isNegative()) {
            throw new IllegalArgumentException(InferenceOptions.MAX_PREPROCESS_WAIT.key() + " must be >= 0");
        }
        if (config.get(InferenceOptions.MAX_ATTEMPTS) < 1) {
            throw new IllegalArgumentException(InferenceOptions.MAX_ATTEMPTS.key() + " must be >= 1, got "
                    + config.get(InferenceOptions.MAX_ATTEMPTS));
        }
        if (config.get(InferenceOptions.CHAT_HISTORY_MAX_TURNS) < 0) {
            throw new IllegalArgumentException(InferenceOptions.CHAT_HISTORY_MAX_TURNS.key() + " must be >= 0");
        }
        if (config.get(InferenceOptions.CHAT_PROMPT_BUCKET_TOKENS) < 0) {
            throw new IllegalArgumentException(InferenceOptions.CHAT_PROMPT_BUCKET_TOKENS.key() + " must be >= 0 (0 turns bucketing off)");
        }
        if (config.getOptional(InferenceOptions.DEVICE_CONCURRENCY).orElse(0) < 0) {
            throw new IllegalArgumentException(InferenceOptions.DEVICE_CONCURRENCY.key()
                    + " must be >= 0 (0 = no limit), got " + config.get(InferenceOptions.DEVICE_CONCURRENCY));
        }
        if (config.get(InferenceOptions.MAX_IN_FLIGHT_BYTES).getBytes() < 1) {
            throw new IllegalArgumentException(InferenceOptions.MAX_IN_FLIGHT_BYTES.key()
                    + " must be at least 1 byte, got " + config.get(InferenceOptions.MAX_IN_FLIGHT_BYTES));
        }
        if (config.get(InferenceOptions.PREPROCESS_THREADS) < 0) {
            throw new IllegalArgumentException(InferenceOptions.PREPROCESS_THREADS.key() + " must be >= 0");
        }
    }

    private static void requirePositive(String key, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(key + " must be > 0, got " + d);
        }
    }
}
