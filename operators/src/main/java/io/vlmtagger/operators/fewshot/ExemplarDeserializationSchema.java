package io.vlmtagger.operators.fewshot;

import io.vlmtagger.schemas.Exemplar;
import io.vlmtagger.schemas.serde.AvroCodec;
import io.vlmtagger.schemas.serde.AvroDecodeException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the exemplars topic: single-object Avro {@link Exemplar}s. A record that does not decode
 * is logged and skipped (an exemplar is configuration, not an event to dead-letter; a bad one must
 * not stop the job).
 */
public class ExemplarDeserializationSchema implements KafkaRecordDeserializationSchema<Exemplar> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ExemplarDeserializationSchema.class);

    private transient AvroCodec<Exemplar> codec;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Exemplar> out) {
        if (codec == null) {
            codec = AvroCodec.of(Exemplar.class);
        }
        if (record.value() == null) {
            return;
        }
        try {
            out.collect(codec.decode(record.value()));
        } catch (AvroDecodeException e) {
            LOG.warn("skipping undecodable exemplar at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<Exemplar> getProducedType() {
        return FewShotStage.EXEMPLAR_TYPE;
    }
}
