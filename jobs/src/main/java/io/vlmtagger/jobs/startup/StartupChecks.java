package io.vlmtagger.jobs.startup;

import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;
import io.vlmtagger.jobs.config.SchemaOptions;
import io.vlmtagger.jobs.config.StartupOptions;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.writers.WriterSchemaSources;
import io.vlmtagger.schemas.writers.WriterSchemaStore;
import org.apache.flink.configuration.ReadableConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code TaggingJob} checks before it submits the job, so that a broken setup ends the start
 * with one message saying what to fix instead of a job that restarts every few seconds:
 * <ol>
 *   <li>checkpoint and savepoint directories on the local file system are usable, and a recovery
 *       path exists (only when the job runs in this JVM: plain {@code java}, the local runner);</li>
 *   <li>the writer-schema directory exists and holds only valid schemas;</li>
 *   <li>the Kafka brokers answer, and every topic the job reads or writes exists: input, captions,
 *       dead letters, chat answers (with a chat model), exemplars (with a few-shot model), the
 *       writer-schema topic; missing ones are created with {@code startup.create-topics};</li>
 *   <li>the writer-schema topic holds only valid schemas.</li>
 * </ol>
 */
public final class StartupChecks {
    private static final Logger LOG = LoggerFactory.getLogger(StartupChecks.class);

    private StartupChecks() {}

    /**
     * Runs the checks.
     *
     * @param flink the Flink configuration the job will run with (checkpoint paths)
     * @param inThisJvm whether the job runs in this JVM, so that local paths are the job's paths
     * @throws StartupCheckException with what to fix
     */
    public static void run(JobConfig config, ReadableConfig flink, boolean inThisJvm) {
        if (inThisJvm) {
            List<String> problems = CheckpointDirs.problems(flink);
            if (!problems.isEmpty()) {
                throw new StartupCheckException(String.join("; ", problems));
            }
        }
        config.getOptional(SchemaOptions.WRITER_DIR).ifPresent(dir ->
                loadOnce(WriterSchemaSources.none().withDirectory(Path.of(dir)), SchemaOptions.WRITER_DIR.key()));

        String bootstrap = config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS);
        new KafkaTopics(bootstrap, config.get(StartupOptions.KAFKA_TIMEOUT)).check(neededTopics(config),
                config.get(StartupOptions.CREATE_TOPICS), config.get(StartupOptions.TOPIC_PARTITIONS),
                config.get(StartupOptions.TOPIC_REPLICATION));

        config.getOptional(SchemaOptions.WRITER_TOPIC).ifPresent(topic ->
                loadOnce(WriterSchemaSources.none().withTopic(bootstrap, topic), SchemaOptions.WRITER_TOPIC.key()));
        LOG.info("start-up checks passed: Kafka at {} with topics {}", bootstrap,
                neededTopics(config).stream().map(KafkaTopics.Needed::name).toList());
    }

    /** The topics the configured job reads or writes, with the options that name them. */
    static List<KafkaTopics.Needed> neededTopics(JobConfig config) {
        List<KafkaTopics.Needed> topics = new ArrayList<>();
        topics.add(new KafkaTopics.Needed(config.get(JobOptions.TOPIC_INPUT), JobOptions.TOPIC_INPUT.key(), false));
        topics.add(new KafkaTopics.Needed(config.get(JobOptions.TOPIC_CAPTIONS), JobOptions.TOPIC_CAPTIONS.key(), false));
        topics.add(new KafkaTopics.Needed(config.get(JobOptions.TOPIC_DEAD_LETTERS), JobOptions.TOPIC_DEAD_LETTERS.key(), false));
        if (config.getOptional(JobOptions.MODEL_CHAT_CHECKPOINT).isPresent()) {
            topics.add(new KafkaTopics.Needed(config.get(JobOptions.TOPIC_CHAT_ANSWERS), JobOptions.TOPIC_CHAT_ANSWERS.key(), false));
        }
        if (config.getOptional(JobOptions.MODEL_FEW_SHOT_CHECKPOINT).isPresent()) {
            topics.add(new KafkaTopics.Needed(config.get(JobOptions.TOPIC_EXEMPLARS), JobOptions.TOPIC_EXEMPLARS.key(), true));
        }
        config.getOptional(SchemaOptions.WRITER_TOPIC).ifPresent(t ->
                topics.add(new KafkaTopics.Needed(t, SchemaOptions.WRITER_TOPIC.key(), true)));
        return topics;
    }

    private static void loadOnce(WriterSchemaSources sources, String key) {
        try (WriterSchemaStore store = sources.openStrict(ImageEvent.getClassSchema())) {
            LOG.info("start-up: {} registers {} ImageEvent writer schema(s)", key, store.accepted().size());
        } catch (IllegalArgumentException e) {
            throw new StartupCheckException(key + ": " + e.getMessage(), e);
        }
    }
}
