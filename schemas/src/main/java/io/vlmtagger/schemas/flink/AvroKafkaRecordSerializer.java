package io.vlmtagger.schemas.flink;

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
 * {@link #deadLetters(String)} (key = eventId, or null when the record could not be decoded).
 */
public class AvroKafkaRecordSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final String topic;
    private final SerializableFunction<T, String> keyOf;
    private transient AvroCodec<T> codec;

    public AvroKafkaRecordSerializer(Class<T> type, String topic, SerializableFunction<T, String> keyOf) {
        this.type = Objects.requireNonNull(type, "type");
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic must be set for the " + type.getSimpleName() + " sink");
        }
        this.topic = topic;
        this.keyOf = Objects.requireNonNull(keyOf, "keyOf (use r -> null for no key)");
    }

    public static AvroKafkaRecordSerializer<EnrichedImage> enrichedImages(String topic) {
        return new AvroKafkaRecordSerializer<>(EnrichedImage.class, topic, EnrichedImage::getEventId);
    }

    public static AvroKafkaRecordSerializer<ChatAnswer> chatAnswers(String topic) {
        return new AvroKafkaRecordSerializer<>(ChatAnswer.class, topic, ChatAnswer::getConversationId);
    }

    public static AvroKafkaRecordSerializer<DeadLetter> deadLetters(String topic) {
        return new AvroKafkaRecordSerializer<>(DeadLetter.class, topic, DeadLetter::getEventId);
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
        String key = keyOf.apply(element);
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, timestamp, keyBytes, codec.encode(element));
    }
}
