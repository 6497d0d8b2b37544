package io.vlmtagger.schemas.flink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import io.vlmtagger.schemas.ChatAnswer;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.serde.AvroCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Kafka sink format for the job's outputs: value = single-object encoded Avro, key = a UTF-8 string
 * taken from the record (null key when the function returns null, and Kafka then spreads records).
 *
 * <p>Entry points: {@link #enrichedImages(String)} (key = eventId), {@link #chatAnswers(String)}
 * (key = conversationId, so all turns of a conversation stay in one partition, in order) and
 * {@link #deadLetters(String)} (key = eventId, or the input record's key when it could not be decoded).
 */
public class AvroKafkaRecordSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final String topic;
    private final KeyBytes<T> keyOf;
    private transient AvroCodec<T> codec;

    /** The Kafka key of a record as bytes (null for none). */
    @FunctionalInterface
    private interface KeyBytes<T> extends SerializableFunction<T, byte[]> {}

    public AvroKafkaRecordSerializer(Class<T> type, String topic, SerializableFunction<T, String> keyOf) {
        this(type, topic, utf8(Objects.requireNonNull(keyOf, "keyOf (use r -> null for no key)")));
    }

    private AvroKafkaRecordSerializer(Class<T> type, String topic, KeyBytes<T> keyBytesOf) {
        this.type = Objects.requireNonNull(type, "type");
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic must be set for the " + type.getSimpleName() + " sink");
        }
        this.topic = topic;
        this.keyOf = keyBytesOf;
    }

    private static <T> KeyBytes<T> utf8(SerializableFunction<T, String> keyOf) {
        return r -> {
            String key = keyOf.apply(r);
            return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        };
    }

    public static AvroKafkaRecordSerializer<EnrichedImage> enrichedImages(String topic) {
        return new AvroKafkaRecordSerializer<>(EnrichedImage.class, topic, EnrichedImage::getEventId);
    }

    public static AvroKafkaRecordSerializer<ChatAnswer> chatAnswers(String topic) {
        return new AvroKafkaRecordSerializer<>(ChatAnswer.class, topic, ChatAnswer::getConversationId);
    }

    /** Key: the event id, or the input record's own key when the event id is unknown (undecodable). */
    public static AvroKafkaRecordSerializer<DeadLetter> deadLetters(String topic) {
        KeyBytes<DeadLetter> key = AvroKafkaRecordSerializer::deadLetterKey;
        return new AvroKafkaRecordSerializer<>(DeadLetter.class, topic, key);
    }

    static byte[] deadLetterKey(DeadLetter d) {
        if (d.getEventId() != null) {
            return d.getEventId().getBytes(StandardCharsets.UTF_8);
        }
        if (d.getKafkaKey() == null) {
            return null;
        }
        ByteBuffer b = d.getKafkaKey().duplicate();
        byte[] key = new byte[b.remaining()];
        b.get(key);
        return key;
    }

    public String topic() {
        return topic;
    }

    @Override
    public void open(org.apache.flink.api.common.serialization.SerializationSchema.InitializationContext context,
                     KafkaSinkContext sinkContext) {
        codec = AvroCodec.of(type);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        if (codec == null) {
            codec = AvroCodec.of(type);
        }
        return new ProducerRecord<>(topic, null, timestamp, keyOf.apply(element), codec.encode(element));
    }
}
