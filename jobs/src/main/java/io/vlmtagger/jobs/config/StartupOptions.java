package io.vlmtagger.jobs.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/**
 * The checks {@code TaggingJob} runs before it submits anything: brokers reachable, topics present
 * (or created), checkpoint directories usable. A failed check ends the start with one message
 * saying what to fix, instead of a job that restarts forever.
 */
public final class StartupOptions {

    public static final ConfigOption<Boolean> CREATE_TOPICS =
            ConfigOptions.key("startup.create-topics")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("Create missing topics at start (with startup.topic-partitions and startup.topic-replication; the exemplars and writer-schema topics compacted) instead of failing with the commands that create them.");

    public static final ConfigOption<Integer> TOPIC_PARTITIONS =
            ConfigOptions.key("startup.topic-partitions")
                    .intType()
                    .defaultValue(-1)
                    .withDescription("Partitions of topics created by startup.create-topics; -1 takes the broker's num.partitions.");

    public static final ConfigOption<Integer> TOPIC_REPLICATION =
            ConfigOptions.key("startup.topic-replication")
                    .intType()
                    .defaultValue(-1)
                    .withDescription("Replication factor of topics created by startup.create-topics; -1 takes the broker's default.replication.factor.");

    public static final ConfigOption<Duration> KAFKA_TIMEOUT =
            ConfigOptions.key("startup.kafka-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(15))
                    .withDescription("How long the start-up checks wait for the Kafka brokers before failing with 'cannot reach'.");

    public static final ConfigOption<Boolean> CHECKS_ENABLED =
            ConfigOptions.key("startup.checks")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Run the start-up checks (brokers, topics, checkpoint directories) before submitting the job.");

    private StartupOptions() {}
}
