package io.vlmtagger.jobs.config;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Flink's own checkpointing and state keys, accepted by the job and the local runner next to the
 * job's options and handed to the job's environment as they are: {@code --execution.checkpointing.dir
 * file:///ckpt}, {@code --state.backend.type rocksdb}, {@code
 * --execution.checkpointing.externalized-checkpoint-retention RETAIN_ON_CANCELLATION}, ... A key under
 * these prefixes must be one Flink declares (a typo is refused with the closest keys; RocksDB's and
 * ForSt's keys, declared in their own jars, are taken on trust) and its value must parse as the
 * option's type. Keys the job sets itself are refused with the job option to use instead.
 */
public final class FlinkPassThrough {
    /** Flink's keys that choose where checkpoints go. */
    private static final List<ConfigOption<String>> STORAGE_OPTIONS =
            List.of(CheckpointingOptions.CHECKPOINTS_DIRECTORY, CheckpointingOptions.CHECKPOINT_STORAGE);

    /** Key prefixes passed through to Flink. */
    public static final List<String> PREFIXES = List.of("execution.checkpointing.", "state.");

    /** Subtrees declared outside flink-core (state backend jars): accepted without a type check. */
    private static final List<String> PLUGIN_PREFIXES = List.of("state.backend.rocksdb.", "state.backend.forst.");

    /** Keys the job sets from its own options. */
    private static final Map<String, String> OWNED = Map.of(
            CheckpointingOptions.CHECKPOINTING_INTERVAL.key(), "use " + JobOptions.CHECKPOINT_INTERVAL.key(),
            CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE.key(),
            "the job always checkpoints EXACTLY_ONCE (its Kafka sinks are transactional)");

    private FlinkPassThrough() {}

    /** Whether {@code key} is under one of the {@link #PREFIXES}. */
    public static boolean applies(String key) {
        return PREFIXES.stream().anyMatch(key::startsWith);
    }

    /**
     * Checks one pass-through key and its value.
     *
     * @throws ConfigException saying what to write instead
     */
    static void check(String key, String value) {
        if (OWNED.containsKey(key)) {
            throw new ConfigException(key + " is set by the job: " + OWNED.get(key));
        }
        if (PLUGIN_PREFIXES.stream().anyMatch(key::startsWith)) {
            return;
        }
        FlinkOptionKeys flink = FlinkOptionKeys.scan();
        String current = flink.deprecatedKeys().getOrDefault(key, key);
        ConfigOption<?> option = flink.options().get(current);
        if (option == null) {
            List<String> candidates = flink.keys().stream().filter(FlinkPassThrough::applies).sorted().toList();
            List<String> close = KeySuggestions.closest(key, candidates, 3);
            throw new ConfigException("unknown Flink option '" + key + "'"
                    + (close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close) + "?")
                    + " (keys under " + String.join(", ", PREFIXES) + " are passed to Flink; see Flink's configuration docs)");
        }
        try {
            Configuration.fromMap(Map.of(key, value)).get(option);
        } catch (RuntimeException e) {
            throw new ConfigException("invalid value '" + value + "' for Flink option " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * The Flink settings of {@code config}: its pass-through keys, and {@code checkpoint.dir} as
     * filesystem checkpoint storage in that directory.
     */
    public static Configuration configuration(JobConfig config) {
        Map<String, String> passed = config.toMap().entrySet().stream()
                .filter(e -> applies(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        Configuration flink = Configuration.fromMap(passed);
        config.getOptional(JobOptions.CHECKPOINT_DIR).ifPresent(dir -> {
            flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir);
        });
        return flink;
    }

    /** {@code checkpoint.dir} and Flink's own directory or storage keys must not disagree. */
    static void checkConsistent(JobConfig config) {
        if (!config.isSet(JobOptions.CHECKPOINT_DIR)) {
            return;
        }
        String dir = config.get(JobOptions.CHECKPOINT_DIR);
        for (ConfigOption<String> option : STORAGE_OPTIONS) {
            String expected = option == CheckpointingOptions.CHECKPOINT_STORAGE ? "filesystem" : dir;
            for (String key : keysOf(option)) {
                String given = config.toMap().get(key);
                if (given != null && !given.equals(expected)) {
                    throw new ConfigException(JobOptions.CHECKPOINT_DIR.key() + "=" + dir + " and " + key + "=" + given
                            + " disagree: set one of them");
                }
            }
        }
    }

    /**
     * Whether {@code settings} choose the checkpoint storage: {@code checkpoint.dir}, or Flink's
     * checkpoint directory or storage key (or a deprecated key of either).
     */
    public static boolean setsCheckpointStorage(Map<String, String> settings) {
        return settings.containsKey(JobOptions.CHECKPOINT_DIR.key())
                || STORAGE_OPTIONS.stream().flatMap(o -> keysOf(o).stream()).anyMatch(settings::containsKey);
    }

    private static List<String> keysOf(ConfigOption<?> option) {
        List<String> keys = new java.util.ArrayList<>(List.of(option.key()));
        option.fallbackKeys().forEach(k -> keys.add(k.getKey()));
        return keys;
    }
}
