package io.vlmtagger.schemas.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serializer} writing a generated Avro class with single-object encoding (see
 * {@link AvroCodec}). A null value is written as null (a tombstone).
 */
public class AvroKafkaSerializer<T extends SpecificRecord> implements Serializer<T> {
    private final AvroCodec<T> codec;

    public AvroKafkaSerializer(Class<T> type) {
        this(AvroCodec.of(type));
    }

    public AvroKafkaSerializer(AvroCodec<T> codec) {
        this.codec = codec;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : codec.encode(data);
    }
}
