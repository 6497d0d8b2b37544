package io.vlmtagger.schemas.flink;

import java.util.Objects;

import io.vlmtagger.schemas.serde.AvroCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * Flink {@link SerializationSchema} writing a generated Avro class with single-object encoding, the
 * same bytes {@link io.vlmtagger.schemas.serde.AvroKafkaSerializer} writes.
 */
public class SingleObjectSerializationSchema<T extends SpecificRecord> implements SerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private transient AvroCodec<T> codec;

    public SingleObjectSerializationSchema(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    @Override
    public void open(InitializationContext context) {
        codec = AvroCodec.of(type);
    }

    @Override
    public byte[] serialize(T element) {
        if (codec == null) {
            codec = AvroCodec.of(type);
        }
        return codec.encode(element);
    }
}
