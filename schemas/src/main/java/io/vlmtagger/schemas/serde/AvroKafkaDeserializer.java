package io.vlmtagger.schemas.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka {@link Deserializer} for single-object encoded Avro values (see {@link AvroCodec}). Bad bytes
 * raise Kafka's {@link SerializationException} with the {@link AvroDecodeException} as cause, which
 * is what plain consumers expect. The Flink job does NOT use this class on its input: it reads raw
 * bytes (see {@code io.vlmtagger.schemas.flink.RawRecordDeserializationSchema}) so that bad records
 * become dead letters instead of failing the job.
 */
public class AvroKafkaDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final AvroCodec<T> codec;

    public AvroKafkaDeserializer(Class<T> type) {
        this(AvroCodec.of(type));
    }

    public AvroKafkaDeserializer(AvroCodec<T> codec) {
        this.codec = codec;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return codec.decode(data);
        } catch (AvroDecodeException e) {
            throw new SerializationException(
                    "Could not decode a " + codec.type().getSimpleName() + " from topic " + topic + " ("
                            + e.reason().code() + ")", e);
        }
    }
}
