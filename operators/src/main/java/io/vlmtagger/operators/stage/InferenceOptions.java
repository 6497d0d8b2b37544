package io.vlmtagger.operators.stage;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;
import java.util.List;

/**
 * Tuning knobs of the inference stages (caption, chat, few-shot): batching, retries, devices,
 * in-flight bytes and chat history. Read into an {@link InferenceSettings} with {@link
 * InferenceSettings#fromConfig}.
 */
public final class InferenceOptions {
    private InferenceOptions() {}

    public static final ConfigOption<Integer> MAX_BATCH_SIZE = ConfigOptions.key("inference.max-batch-size")
            .intType().defaultValue(8)
            .withDescription("Most requests one model call may carry. Larger batches raise throughput until the"
                    + " device's memory or compute saturates; an out-of-memory batch is split in halves.");

    public static final ConfigOption<Duration> MAX_BATCH_WAIT = ConfigOptions.key("inference.max-batch-wait")
            .durationType().defaultValue(Duration.ofMillis(20))
            .withDescription("How long the oldest waiting request may wait for more to join its batch while the"
                    + " model is idle. While the model is busy requests keep collecting regardless.");

    public static final ConfigOption<Duration> MAX_PREPROCESS_WAIT = ConfigOptions.key("inference.max-preprocess-wait")
            .durationType().defaultValue(Duration.ofMillis(100))
            .withDescription("How much longer than inference.max-batch-wait a batch that is not full waits for requests"
                    + " already submitted and still being decoded and resized, so that a burst"
                    + " arriving at an idle model fills its first batch instead of leaving a partial batch behind. A"
                    + " request with nothing behind it in preprocessing waits only inference.max-batch-wait. 0: never"
                    + " wait for preprocessing.");

    public static final ConfigOption<Integer> CAPACITY = ConfigOptions.key("inference.capacity")
            .intType().defaultValue(64)
            .withDescription("Requests in flight per subtask: the async operator's capacity and the micro-batcher's"
                    + " queue bound. Must be >= inference.max-batch-size.");

    public static final ConfigOption<Duration> TIMEOUT = ConfigOptions.key("inference.timeout")
            .durationType().defaultValue(Duration.ofSeconds(60))
            .withDescription("Time one attempt (queueing, preprocessing and generation) may take before it is"
                    + " retried or, after the last attempt, dead-lettered with reason 'timeout'.");

    public static final ConfigOption<Integer> MAX_ATTEMPTS = ConfigOptions.key("inference.max-attempts")
            .intType().defaultValue(3)
            .withDescription("Attempts per request for timeouts and inference errors (image decode errors are not"
                    + " retried). After the last one the request goes to the dead-letter topic.");

    public static final ConfigOption<Integer> PREPROCESS_THREADS = ConfigOptions.key("inference.preprocess-threads")
            .intType().defaultValue(2)
            .withDescription("Threads per subtask that decode and resize images, apart from the model thread; 0 decodes"
                    + " on the task thread (tests only).");

    public static final ConfigOption<Boolean> SPLIT_ON_OOM = ConfigOptions.key("inference.split-on-oom")
            .booleanType().defaultValue(true)
            .withDescription("Split a batch that ran out of (device) memory in halves and retry them.");

    public static final ConfigOption<Duration> SHUTDOWN_TIMEOUT = ConfigOptions.key("inference.shutdown-timeout")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("How long closing an operator waits for the running batch before releasing the model.");

    public static final ConfigOption<List<String>> DEVICES = ConfigOptions.key("inference.devices")
            .stringType().asList().defaultValues()
            .withDescription("Devices to spread subtasks over, e.g. 'gpu:0;gpu:1' (subtask index modulo the list)."
                    + " Ignored when Flink's external resource 'gpu' is configured (its assigned index wins)."
                    + " Empty and no GPU resource: 'cpu'.");

    public static final ConfigOption<Integer> DEVICE_CONCURRENCY = ConfigOptions.key("inference.device-concurrency")
            .intType().noDefaultValue()
            .withDescription("Model batches that may run at once on one device, over all slots (subtasks) and"
                    + " models of a TaskManager that use it; the others wait their turn. Unset: 1 on the CPU, where"
                    + " concurrent batches compete for the same cores and each holds its own activations (slots share"
                    + " the weights, not the activations), and 4 on a GPU, where generation leaves the device idle"
                    + " between kernels and 2-4 concurrent batches measured 1.4-2.0x one (docs/performance.md); each"
                    + " running batch adds its activations to the device's memory. 0: no limit.");

    public static final ConfigOption<MemorySize> MAX_IN_FLIGHT_BYTES = ConfigOptions.key("inference.max-in-flight-bytes")
            .memoryType().defaultValue(MemorySize.parse("128mb"))
            .withDescription("Bytes of requests (their encoded images) an inference subtask (caption, chat, few-shot)"
                    + " holds in flight: in its heap and in its checkpointed state. Once reached the stage takes no"
                    + " new input until requests complete (backpressure, never a dead letter); a single larger"
                    + " request still passes alone. Decoded pixels are never kept in state. See docs/reliability.md.");

    public static final ConfigOption<String> GPU_RESOURCE_NAME = ConfigOptions.key("inference.gpu-resource-name")
            .stringType().defaultValue("gpu")
            .withDescription("Name of Flink's external resource that assigns GPUs to slots"
                    + " (external-resources: gpu; external-resource.gpu.driver-factory.class: ...).");

    public static final ConfigOption<Integer> CAPTION_MAX_NEW_TOKENS = ConfigOptions.key("caption.max-new-tokens")
            .intType().defaultValue(20)
            .withDescription("Most tokens generated per caption.");

    public static final ConfigOption<Integer> CAPTION_NUM_BEAMS = ConfigOptions.key("caption.num-beams")
            .intType().defaultValue(1)
            .withDescription("Beam width for captions; 1 is greedy decoding.");

    public static final ConfigOption<String> CAPTION_PROMPT = ConfigOptions.key("caption.prompt")
            .stringType().noDefaultValue()
            .withDescription("Optional text the caption continues (e.g. 'a photo of'); unset: unconditional captions.");

    public static final ConfigOption<Integer> CHAT_MAX_NEW_TOKENS = ConfigOptions.key("chat.max-new-tokens")
            .intType().defaultValue(64)
            .withDescription("Most tokens generated per chat answer.");

    public static final ConfigOption<Integer> CHAT_PROMPT_BUCKET_TOKENS = ConfigOptions.key("chat.prompt-bucket-tokens")
            .intType().defaultValue(128)
            .withDescription("Chat batches only group questions whose text prompts (history + question, estimated"
                    + " at 4 characters a token) fall in the same bucket of this many tokens, so that short"
                    + " prompts are not padded to long ones; 0 batches in arrival order.");

    public static final ConfigOption<Boolean> CHAT_CONTINUOUS_BATCHING = ConfigOptions.key("chat.continuous-batching")
            .booleanType().defaultValue(false)
            .withDescription("Chat questions join the model's running decode batch at the next step (continuous"
                    + " batching, greedy decoding) instead of waiting for a static batch to finish; rows decoded"
                    + " together: inference.max-batch-size. Usually lower latency; throughput at saturation not yet"
                    + " shown to match static batches (docs/performance.md), hence off by default. Off: static"
                    + " micro-batches (chat.prompt-bucket-tokens applies). Models without a continuous loop always"
                    + " use static batches.");

    public static final ConfigOption<Duration> CHAT_HISTORY_TTL = ConfigOptions.key("chat.history.ttl")
            .durationType().defaultValue(Duration.ofHours(1))
            .withDescription("A conversation's history is forgotten this long after its last answered turn"
                    + " (processing time).");

    public static final ConfigOption<Integer> CHAT_HISTORY_MAX_TURNS = ConfigOptions.key("chat.history.max-turns")
            .intType().defaultValue(8)
            .withDescription("Earlier turns kept per conversation and shown to the model; older ones are dropped.");
}
