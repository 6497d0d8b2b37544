package io.vlmtagger.operators.deadletter;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;

import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.flink.RawKafkaRecord;
import io.vlmtagger.schemas.serde.AvroCodec;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * Dead letters: the side output every stage routes its failures to ({@link #TAG}) and a builder of
 * {@link DeadLetter} records.
 *
 * <p>{@code originalBytes} is what lets an operator replay a record: for a raw Kafka record it is
 * the value as received; for an {@link ImageTask} (already decoded) it is the single-object Avro
 * encoding of its {@link ImageEvent}, i.e. the same bytes a producer would have sent (fetched image
 * bytes are never included; an image URI's user-info and query are redacted). It is capped at {@code maxOriginalBytes} (default 1 MiB) and
 * {@code truncated} says so. Messages are redacted ({@link Redaction}) and capped. {@code kafkaKey}
 * is the input record's key as received, whatever the stage.
 */
public final class DeadLetters {
    /** The one side output for dead letters, shared by every stage of the job. */
    public static final OutputTag<DeadLetter> TAG =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    public static final int DEFAULT_MAX_ORIGINAL_BYTES = 1024 * 1024;
    public static final int MAX_MESSAGE_CHARS = 2000;

    /** Immutable and thread-safe (Avro's message encoder keeps its buffers per thread). */
    private static final AvroCodec<ImageEvent> EVENT_CODEC = AvroCodec.of(ImageEvent.class);

    private DeadLetters() {}

    /** A dead letter for a record that was decoded (carries eventId and Kafka coordinates). */
    public static Builder forTask(ImageTask task) {
        Builder b = new Builder();
        b.task = Objects.requireNonNull(task, "task");
        return b;
    }

    /** A dead letter for a record as received from Kafka (possibly not decodable). */
    public static Builder forRaw(RawKafkaRecord raw) {
        Builder b = new Builder();
        b.raw = Objects.requireNonNull(raw, "raw");
        return b;
    }

    /**
     * {@code event} as stored in a dead letter: an image URI with user-info or a query string (a
     * password, a pre-signed URL's signature) is replaced by its {@link Redaction#uri redacted}
     * form, so that no credential is written to the dead-letter topic; other events are unchanged.
     */
    static ImageEvent withoutCredentials(ImageEvent event) {
        if (event.getImage() instanceof ImageRef ref && ref.getUri() != null) {
            String redacted = Redaction.uri(ref.getUri());
            if (!redacted.equals(ref.getUri())) {
                ImageEvent copy = ImageEvent.newBuilder(event).build();
                copy.setImage(ImageRef.newBuilder(ref).setUri(redacted).build());
                return copy;
            }
        }
        return event;
    }

    /** Builder: {@code setX} required, {@code optX} optional. */
    public static final class Builder {
        private ImageTask task;
        private RawKafkaRecord raw;
        private FailureStage stage;
        private String reason;
        private Throwable error;
        private String message;
        private String eventId;
        private int attempts = 1;
        private Clock clock = Clock.systemUTC();
        private int maxOriginalBytes = DEFAULT_MAX_ORIGINAL_BYTES;

        private Builder() {}

        public Builder setStage(FailureStage stage) {
            this.stage = stage;
            return this;
        }

        /** Stable machine-readable reason, e.g. {@code avro_decode_error}, {@code fetch_timeout}. */
        public Builder setReason(String reason) {
            this.reason = reason;
            return this;
        }

        /** The failure; its class and (redacted) message go into the dead letter. */
        public Builder optError(Throwable error) {
            this.error = error;
            return this;
        }

        /** A message instead of (or in front of) the error's message. */
        public Builder optMessage(String message) {
            this.message = message;
            return this;
        }

        /** The event id when known although the record is raw (e.g. decoded but invalid). */
        public Builder optEventId(String eventId) {
            this.eventId = eventId;
            return this;
        }

        public Builder optAttempts(int attempts) {
            this.attempts = attempts;
            return this;
        }

        public Builder optClock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder optMaxOriginalBytes(int maxOriginalBytes) {
            this.maxOriginalBytes = maxOriginalBytes;
            return this;
        }

        public DeadLetter build() {
            if (stage == null) {
                throw new IllegalArgumentException("setStage(...) is required: where the record failed");
            }
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("setReason(...) is required: a stable code such as fetch_timeout");
            }
            if (attempts < 1 || maxOriginalBytes < 0 || clock == null) {
                throw new IllegalArgumentException("optAttempts must be >= 1, optMaxOriginalBytes >= 0, optClock non-null");
            }
            byte[] original;
            String id = eventId;
            DeadLetter.Builder dl = DeadLetter.newBuilder();
            if (task != null) {
                original = task.event == null ? null : EVENT_CODEC.encode(withoutCredentials(task.event));
                id = id != null ? id : task.eventId();
                dl.setTopic(task.topic).setPartition(task.partition).setOffset(task.offset)
                        .setKafkaKey(task.key == null ? null : ByteBuffer.wrap(task.key));
            } else {
                original = raw.value;
                dl.setTopic(raw.topic).setPartition(raw.partition).setOffset(raw.offset)
                        .setKafkaKey(raw.key == null ? null : ByteBuffer.wrap(raw.key));
            }
            boolean truncated = original != null && original.length > maxOriginalBytes;
            if (truncated) {
                original = Arrays.copyOf(original, maxOriginalBytes);
            }
            return dl.setEventId(id)
                    .setOriginalBytes(original == null ? null : ByteBuffer.wrap(original))
                    .setTruncated(truncated)
                    .setStage(stage)
                    .setReason(reason)
                    .setErrorClass(error == null ? "none" : error.getClass().getName())
                    .setErrorMessage(describe())
                    .setAttempts(attempts)
                    .setFailedAt(clock.instant())
                    .build();
        }

        private String describe() {
            StringBuilder sb = new StringBuilder();
            if (message != null) {
                sb.append(message);
            }
            for (Throwable t = error; t != null && sb.length() < MAX_MESSAGE_CHARS; t = t.getCause()) {
                if (t.getMessage() != null) {
                    if (sb.length() > 0) {
                        sb.append(t == error ? ": " : "; caused by ");
                    }
                    sb.append(t.getMessage());
                }
                if (t.getCause() == t) {
                    break;
                }
            }
            String redacted = Redaction.text(sb.toString());
            return redacted.length() <= MAX_MESSAGE_CHARS ? redacted : redacted.substring(0, MAX_MESSAGE_CHARS) + "...";
        }
    }
}
