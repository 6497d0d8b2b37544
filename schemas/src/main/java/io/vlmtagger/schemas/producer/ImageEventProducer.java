package io.vlmtagger.schemas.producer;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;
import io.vlmtagger.schemas.serde.AvroKafkaSerializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Builds {@link ImageEvent}s from files, bytes or URIs and sends them to the input topic (key =
 * eventId, value = single-object encoded Avro). Files up to {@code inlineMaxBytes} travel inline,
 * larger ones by {@code file://} reference with their sha256 (the job's fetch stage reads them, so
 * the path must be under one of the job's allowed roots).
 *
 * <pre>{@code
 * try (ImageEventProducer p = ImageEventProducer.builder()
 *         .setBootstrapServers("localhost:9092").setTopic("images").build()) {
 *     p.send(p.eventForFile(Path.of("cat.jpg"))).join();
 * }
 * }</pre>
 */
public final class ImageEventProducer implements AutoCloseable {
    /** Default inline threshold: 512 KiB, well below Kafka's default 1 MiB record limit. */
    public static final int DEFAULT_INLINE_MAX_BYTES = 512 * 1024;

    private final Producer<String, ImageEvent> producer;
    private final String topic;
    private final int inlineMaxBytes;
    private final String source;
    private final List<TaskType> tasks;
    private final String question;
    private final Clock clock;
    private final Supplier<String> eventIds;

    private ImageEventProducer(Builder b, Producer<String, ImageEvent> producer) {
        this.producer = producer;
        this.topic = b.topic;
        this.inlineMaxBytes = b.inlineMaxBytes;
        this.source = b.source;
        this.question = b.question;
        this.clock = b.clock;
        this.eventIds = b.eventIds;
        if (b.tasks != null) {
            this.tasks = List.copyOf(b.tasks);
        } else if (b.question != null) {
            this.tasks = List.of(TaskType.CAPTION, TaskType.CHAT);
        } else {
            this.tasks = List.of(TaskType.CAPTION);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public int inlineMaxBytes() {
        return inlineMaxBytes;
    }

    /** An event for a file: inline when it is at most {@code inlineMaxBytes}, else a {@code file://} reference. */
    public ImageEvent eventForFile(Path file) throws IOException {
        Path real = file.toRealPath();
        if (!Files.isRegularFile(real)) {
            throw new IOException("Not a regular file: " + file);
        }
        long size = Files.size(real);
        if (size <= inlineMaxBytes) {
            return eventForBytes(Files.readAllBytes(real), contentTypeOf(real));
        }
        return eventForUri(real.toUri(), Sha256.hex(real));
    }

    /** An inline event; refuses more than {@code inlineMaxBytes} (write the image to a file and send a reference). */
    public ImageEvent eventForBytes(byte[] bytes, String contentType) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length > inlineMaxBytes) {
            throw new IllegalArgumentException("Image of " + bytes.length + " bytes is above the inline limit of "
                    + inlineMaxBytes + " bytes: store it where the job can read it and use eventForUri/eventForFile");
        }
        InlineImage inline = InlineImage.newBuilder().setData(ByteBuffer.wrap(bytes))
                .setContentType(contentType).build();
        return newEvent(inline);
    }

    /** An event referencing an image by URI ({@code file://}, {@code http(s)://}), with an optional sha256 to check. */
    public ImageEvent eventForUri(URI uri, String sha256) {
        Objects.requireNonNull(uri, "uri");
        ImageRef ref = ImageRef.newBuilder().setUri(uri.toString())
                .setSha256(sha256 == null ? null : sha256.toLowerCase(Locale.ROOT)).build();
        return newEvent(ref);
    }

    private ImageEvent newEvent(Object image) {
        return ImageEvent.newBuilder()
                .setEventId(eventIds.get())
                .setEventTime(clock.instant())
                .setSource(source)
                .setImage(image)
                .setTasks(new ArrayList<>(tasks))
                .setQuestion(question)
                .setConversationId(null)
                .setAttributes(new HashMap<>())
                .build();
    }

    /** Sends one event keyed by its eventId; the future fails when Kafka does not acknowledge it. */
    public CompletableFuture<RecordMetadata> send(ImageEvent event) {
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, event.getEventId(), event), (metadata, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }

    static String contentTypeOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
            return "image/jpeg";
        } else if (name.endsWith(".png")) {
            return "image/png";
        } else if (name.endsWith(".gif")) {
            return "image/gif";
        } else if (name.endsWith(".bmp")) {
            return "image/bmp";
        } else if (name.endsWith(".webp")) {
            return "image/webp";
        }
        return null;
    }

    /** Builder: {@code setX} for required values, {@code optX} for optional ones. */
    public static final class Builder {
        private String bootstrapServers;
        private String topic;
        private int inlineMaxBytes = DEFAULT_INLINE_MAX_BYTES;
        private String source = "send-images";
        private List<TaskType> tasks;
        private String question;
        private Clock clock = Clock.systemUTC();
        private Supplier<String> eventIds = () -> UUID.randomUUID().toString();
        private final Map<String, Object> producerProperties = new HashMap<>();
        private Producer<String, ImageEvent> producer;

        private Builder() {}

        public Builder setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        public Builder setTopic(String topic) {
            this.topic = topic;
            return this;
        }

        public Builder optInlineMaxBytes(int inlineMaxBytes) {
            this.inlineMaxBytes = inlineMaxBytes;
            return this;
        }

        public Builder optSource(String source) {
            this.source = source;
            return this;
        }

        /** Requested tasks; default CAPTION, or CAPTION + CHAT when a question is set. */
        public Builder optTasks(List<TaskType> tasks) {
            this.tasks = tasks;
            return this;
        }

        public Builder optQuestion(String question) {
            this.question = question;
            return this;
        }

        public Builder optClock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder optEventIds(Supplier<String> eventIds) {
            this.eventIds = eventIds;
            return this;
        }

        /** Any Kafka producer setting, e.g. {@code linger.ms}; serializers are fixed. */
        public Builder optProducerProperty(String key, Object value) {
            producerProperties.put(key, value);
            return this;
        }

        /** A ready producer instead of one built from the bootstrap servers (tests, shared producers). */
        public Builder optProducer(Producer<String, ImageEvent> producer) {
            this.producer = producer;
            return this;
        }

        public ImageEventProducer build() {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("setTopic(...) is required: the input topic to send ImageEvents to");
            }
            if (inlineMaxBytes < 0) {
                throw new IllegalArgumentException("optInlineMaxBytes must be >= 0 (0 = always send by reference), got "
                        + inlineMaxBytes);
            }
            if (source == null || clock == null || eventIds == null) {
                throw new IllegalArgumentException("optSource, optClock and optEventIds must not be null");
            }
            if (tasks != null && tasks.isEmpty()) {
                throw new IllegalArgumentException("optTasks must name at least one task");
            }
            boolean chat = tasks == null ? question != null : tasks.contains(TaskType.CHAT);
            if (chat && (question == null || question.isBlank())) {
                throw new IllegalArgumentException("the CHAT task needs optQuestion(...)");
            }
            Producer<String, ImageEvent> p = producer;
            if (p == null) {
                if (bootstrapServers == null || bootstrapServers.isBlank()) {
                    throw new IllegalArgumentException(
                            "setBootstrapServers(...) is required (host:port[,host:port]) unless optProducer is given");
                }
                Properties props = new Properties();
                props.put(ProducerConfig.ACKS_CONFIG, "all");
                props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
                props.putAll(producerProperties);
                props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
                p = new KafkaProducer<>(props, new StringSerializer(), new AvroKafkaSerializer<>(ImageEvent.class));
            }
            return new ImageEventProducer(this, p);
        }
    }
}
