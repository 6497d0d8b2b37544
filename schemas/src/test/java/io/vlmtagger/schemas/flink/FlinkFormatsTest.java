package io.vlmtagger.schemas.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.vlmtagger.schemas.ChatAnswer;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.Timings;
import io.vlmtagger.schemas.serde.AvroCodec;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class FlinkFormatsTest {

    @Test
    void rawSchemaCopiesAnyBytesAndNeverThrows() {
        Clock clock = Clock.fixed(Instant.ofEpochMilli(1234), ZoneOffset.UTC);
        RawRecordDeserializationSchema schema = new RawRecordDeserializationSchema(clock);
        List<RawKafkaRecord> out = new ArrayList<>();
        byte[] garbage = {(byte) 0xC3, 0x01, 9, 9};
        schema.deserialize(new ConsumerRecord<>("images", 3, 77L, "k".getBytes(StandardCharsets.UTF_8), garbage),
                new ListCollector<>(out));
        schema.deserialize(new ConsumerRecord<>("images", 0, 1L, null, null), new ListCollector<>(out));

        assertThat(out).hasSize(2);
        RawKafkaRecord r = out.get(0);
        assertThat(r.topic).isEqualTo("images");
        assertThat(r.partition).isEqualTo(3);
        assertThat(r.offset).isEqualTo(77L);
        assertThat(r.receivedAtMs).isEqualTo(1234L);
        assertThat(r.value).containsExactly(garbage);
        assertThat(new String(r.key, StandardCharsets.UTF_8)).isEqualTo("k");
        assertThat(out.get(1).value).isNull();
        assertThat(out.get(1).valueSize()).isZero();
        assertThat(schema.getProducedType().getTypeClass()).isEqualTo(RawKafkaRecord.class);
        assertThat(schema.getProducedType().isBasicType()).isFalse();
    }

    @Test
    void sinkFormatsKeyByTheRightFieldAndEncodeTheValue() throws Exception {
        EnrichedImage enriched = EnrichedImage.newBuilder().setEventId("e1").setEventTime(Instant.EPOCH)
                .setSource("s").setImageRef("inline:ab").setImageSha256("ab").setCaption("a red circle")
                .setTimings(Timings.newBuilder().setReceivedAt(Instant.EPOCH).build()).build();
        ChatAnswer answer = ChatAnswer.newBuilder().setEventId("e2").setConversationId("conv-9").setTurn(1)
                .setQuestion("q").setAnswer("a").setImageSha256("ab").setModel("m").setRevision("r")
                .setAnsweredAt(Instant.EPOCH).setAttributes(Map.of()).build();
        DeadLetter undecodable = DeadLetter.newBuilder().setStage(FailureStage.DECODE).setReason("avro_decode_error")
                .setErrorClass("X").setErrorMessage("m").setFailedAt(Instant.EPOCH).build();

        AvroKafkaRecordSerializer<EnrichedImage> s1 = roundTripJava(AvroKafkaRecordSerializer.enrichedImages("captions"));
        ProducerRecord<byte[], byte[]> r1 = s1.serialize(enriched, null, 99L);
        assertThat(r1.topic()).isEqualTo("captions");
        assertThat(new String(r1.key(), StandardCharsets.UTF_8)).isEqualTo("e1");
        assertThat(r1.timestamp()).isEqualTo(99L);
        assertThat(AvroCodec.of(EnrichedImage.class).decode(r1.value())).isEqualTo(enriched);

        ProducerRecord<byte[], byte[]> r2 = AvroKafkaRecordSerializer.chatAnswers("answers").serialize(answer, null, null);
        assertThat(new String(r2.key(), StandardCharsets.UTF_8)).isEqualTo("conv-9");
        assertThat(AvroCodec.of(ChatAnswer.class).decode(r2.value())).isEqualTo(answer);

        ProducerRecord<byte[], byte[]> r3 = AvroKafkaRecordSerializer.deadLetters("dlq").serialize(undecodable, null, null);
        assertThat(r3.key()).isNull();
        assertThat(AvroCodec.of(DeadLetter.class).decode(r3.value())).isEqualTo(undecodable);
        // an undecodable record that had a key: the dead letter keeps it, as a field and as its own key
        byte[] producerKey = {(byte) 0xFF, 'k', '-', '1'}; // not even UTF-8
        DeadLetter keyed = DeadLetter.newBuilder(undecodable).setKafkaKey(java.nio.ByteBuffer.wrap(producerKey)).build();
        ProducerRecord<byte[], byte[]> r4 = AvroKafkaRecordSerializer.deadLetters("dlq").serialize(keyed, null, null);
        assertThat(r4.key()).containsExactly(producerKey);
        assertThat(AvroCodec.of(DeadLetter.class).decode(r4.value()).getKafkaKey().array()).containsExactly(producerKey);
        DeadLetter withId = DeadLetter.newBuilder(keyed).setEventId("e7").build();
        assertThat(new String(AvroKafkaRecordSerializer.deadLetters("dlq").serialize(withId, null, null).key(),
                StandardCharsets.UTF_8)).isEqualTo("e7");

        SingleObjectSerializationSchema<EnrichedImage> plain = new SingleObjectSerializationSchema<>(EnrichedImage.class);
        assertThat(plain.serialize(enriched)).isEqualTo(r1.value());
    }

    @Test
    void sinkFormatNeedsATopic() {
        assertThatThrownBy(() -> AvroKafkaRecordSerializer.deadLetters(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic must be set");
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTripJava(T value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }
}
