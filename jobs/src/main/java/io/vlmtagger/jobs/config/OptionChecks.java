package io.vlmtagger.jobs.config;

import io.vlmtagger.jobs.BuiltinCheckpoints;
import io.vlmtagger.operators.fetch.FetchOptions;
import io.vlmtagger.operators.results.ResultMergeOptions;
import io.vlmtagger.operators.stage.InferenceSettings;
import org.apache.flink.configuration.ConfigOption;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Range and format checks beyond what the option types enforce; messages say what to write. */
final class OptionChecks {

    private static final Pattern DEVICE = Pattern.compile("auto|cpu|gpu(:\\d+)?");
    private static final Set<String> DTYPES = Set.of("auto", "float32", "float16");

    static void check(JobConfig c) {
        String device = c.get(JobOptions.MODEL_DEVICE);
        if (!DEVICE.matcher(device).matches()) {
            throw new ConfigException("invalid value '" + device + "' for " + JobOptions.MODEL_DEVICE.key()
                    + ": write auto, cpu or gpu:N (N = device index)");
        }
        String dtype = c.get(JobOptions.MODEL_DTYPE);
        if ("bfloat16".equals(dtype) || "bf16".equals(dtype)) {
            throw new ConfigException(JobOptions.MODEL_DTYPE.key() + "=" + dtype
                    + " is not supported: DJL 0.36's PyTorch JNI aborts the JVM on bfloat16 tensors; write float16 (or auto)");
        }
        if (!DTYPES.contains(dtype)) {
            throw new ConfigException("invalid value '" + dtype + "' for " + JobOptions.MODEL_DTYPE.key()
                    + ": write one of auto, float32, float16");
        }
        boolean user = c.getOptional(JobOptions.SEARCH_OPENSEARCH_USERNAME).isPresent();
        boolean password = c.getOptional(JobOptions.SEARCH_OPENSEARCH_PASSWORD).isPresent();
        if (user != password) {
            throw new ConfigException("set both " + JobOptions.SEARCH_OPENSEARCH_USERNAME.key() + " and "
                    + JobOptions.SEARCH_OPENSEARCH_PASSWORD.key() + ", or neither");
        }
        positive(FetchOptions.CAPACITY.key(), c.get(FetchOptions.CAPACITY));
        if (c.get(JobOptions.CAPTION_DEDUP_CACHE_ENTRIES) < -1) {
            throw new ConfigException(JobOptions.CAPTION_DEDUP_CACHE_ENTRIES.key()
                    + " must be -1 (off), 0 (in-flight only) or a cache size, got " + c.get(JobOptions.CAPTION_DEDUP_CACHE_ENTRIES));
        }
        positive(LocalRunOptions.IMAGE_COUNT.key(), c.get(LocalRunOptions.IMAGE_COUNT));
        if (c.get(LocalRunOptions.MALFORMED_EVENTS) < 0) {
            throw new ConfigException(LocalRunOptions.MALFORMED_EVENTS.key() + " must be >= 0, got "
                    + c.get(LocalRunOptions.MALFORMED_EVENTS));
        }
        int parallelism = c.get(JobOptions.JOB_PARALLELISM);
        if (parallelism == 0 || parallelism < -1) {
            throw new ConfigException(JobOptions.JOB_PARALLELISM.key() + " must be >= 1, or -1 for the environment's default; got " + parallelism);
        }
        Duration checkpoint = c.get(JobOptions.CHECKPOINT_INTERVAL);
        Duration txTimeout = c.get(JobOptions.KAFKA_TRANSACTION_TIMEOUT);
        if (checkpoint.toMillis() < 10) {
            throw new ConfigException(JobOptions.CHECKPOINT_INTERVAL.key() + " must be at least 10 ms (the Kafka sinks commit on checkpoints), got " + checkpoint);
        }
        if (txTimeout.compareTo(checkpoint) <= 0) {
            throw new ConfigException(JobOptions.KAFKA_TRANSACTION_TIMEOUT.key() + " (" + txTimeout
                    + ") must be longer than " + JobOptions.CHECKPOINT_INTERVAL.key() + " (" + checkpoint
                    + "), or transactions expire before they are committed");
        }
        try {
            InferenceSettings.fromConfig(c.toConfiguration());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
        FlinkPassThrough.checkConsistent(c);
        if (c.get(FetchOptions.MAX_BYTES).getBytes() < 1) {
            throw new ConfigException(FetchOptions.MAX_BYTES.key() + " must be positive");
        }
        for (ConfigOption<String> model : List.of(JobOptions.MODEL_CAPTION_CHECKPOINT,
                JobOptions.MODEL_CHAT_CHECKPOINT, JobOptions.MODEL_FEW_SHOT_CHECKPOINT)) {
            String problem = BuiltinCheckpoints.problem(c.getOptional(model).orElse(null));
            if (problem != null) {
                throw new ConfigException("invalid value for " + model.key() + ": " + problem);
            }
        }
        if (c.get(ResultMergeOptions.MERGE_TIMEOUT).toMillis() < 1) {
            throw new ConfigException(ResultMergeOptions.MERGE_TIMEOUT.key() + " must be positive");
        }
        int partitions = c.get(StartupOptions.TOPIC_PARTITIONS);
        int replication = c.get(StartupOptions.TOPIC_REPLICATION);
        if (partitions == 0 || partitions < -1 || replication == 0 || replication < -1) {
            throw new ConfigException(StartupOptions.TOPIC_PARTITIONS.key() + " and " + StartupOptions.TOPIC_REPLICATION.key()
                    + " must be >= 1, or -1 for the broker's default; got " + partitions + " and " + replication);
        }
    }

    private static void positive(String key, int value) {
        if (value < 1) {
            throw new ConfigException(key + " must be >= 1, got " + value);
        }
    }

    private OptionChecks() {}
}
