package io.vlmtagger.schemas.writers;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.apache.avro.Schema;

/**
 * Where a reader looks for writer schemas registered by producers: a directory of {@code .avsc}
 * files and/or a topic of schema texts. Immutable and serializable, so that a Flink function can
 * carry it and {@link #open} a {@link WriterSchemaStore} in each subtask.
 *
 * <pre>{@code
 * WriterSchemaSources sources = WriterSchemaSources.none()
 *         .withDirectory(Path.of("/etc/vlm-tagger/schemas"))
 *         .withTopic("broker:9092", "image-schemas");
 * }</pre>
 */
public final class WriterSchemaSources implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TOPIC_TIMEOUT = Duration.ofSeconds(10);

    private final String directory;
    private final String bootstrapServers;
    private final String topic;
    private final Duration retryInterval;

    private WriterSchemaSources(String directory, String bootstrapServers, String topic, Duration retryInterval) {
        this.directory = directory;
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.retryInterval = retryInterval;
    }

    /** No registered writer schemas: the reader knows its own and the shipped history only. */
    public static WriterSchemaSources none() {
        return new WriterSchemaSources(null, null, null, DEFAULT_RETRY_INTERVAL);
    }

    public WriterSchemaSources withDirectory(Path dir) {
        return new WriterSchemaSources(dir.toAbsolutePath().toString(), bootstrapServers, topic, retryInterval);
    }

    public WriterSchemaSources withTopic(String bootstrapServers, String topic) {
        if (bootstrapServers == null || bootstrapServers.isBlank() || topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("a writer-schema topic needs bootstrap servers and a topic name");
        }
        return new WriterSchemaSources(directory, bootstrapServers, topic, retryInterval);
    }

    /** How long a missing fingerprint waits before it may make the store read its sources again. */
    public WriterSchemaSources withRetryInterval(Duration interval) {
        if (interval == null || interval.isNegative()) {
            throw new IllegalArgumentException("the retry interval must be >= 0, got " + interval);
        }
        return new WriterSchemaSources(directory, bootstrapServers, topic, interval);
    }

    public boolean isEmpty() {
        return directory == null && topic == null;
    }

    /**
     * Opens the sources and reads them once, logging (not failing on) what cannot be read: for a
     * running reader (see {@link WriterSchemaStore#open}).
     */
    public WriterSchemaStore open(Schema reader) {
        return open(reader, Clock.systemUTC(), false);
    }

    /**
     * Opens the sources and reads them once, failing on what cannot be read: for a check before
     * the start.
     *
     * @throws IllegalArgumentException naming the source or file
     */
    public WriterSchemaStore openStrict(Schema reader) {
        return open(reader, Clock.systemUTC(), true);
    }

    public WriterSchemaStore open(Schema reader, Clock clock, boolean strict) {
        List<SchemaSource> sources = new ArrayList<>();
        if (directory != null) {
            sources.add(new DirectorySchemaSource(Path.of(directory)));
        }
        if (topic != null) {
            sources.add(new TopicSchemaSource(bootstrapServers, topic, DEFAULT_TOPIC_TIMEOUT));
        }
        return WriterSchemaStore.open(reader, sources, retryInterval, clock, strict);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WriterSchemaSources w && Objects.equals(directory, w.directory)
                && Objects.equals(bootstrapServers, w.bootstrapServers) && Objects.equals(topic, w.topic)
                && retryInterval.equals(w.retryInterval);
    }

    @Override
    public int hashCode() {
        return Objects.hash(directory, bootstrapServers, topic, retryInterval);
    }

    @Override
    public String toString() {
        return "WriterSchemaSources{directory=" + directory + ", topic=" + topic + ", retryInterval=" + retryInterval + '}';
    }
}
