package io.vlmtagger.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmtagger.jobs.kafka.EmbeddedKafka;
import io.vlmtagger.jobs.kafka.TopicReader;
import io.vlmtagger.operators.search.DeadLetterPublisher;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.serde.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class KafkaDeadLetterPublisherTest {

    @Test
    void publishedLettersLandOnTheTopicKeyedByEventId() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "dlq");
            DeadLetterPublisher.Factory factory = KafkaDeadLetterPublisher.factory(kafka.bootstrapServers(), "dlq", "test");
            try (DeadLetterPublisher publisher = factory.create(0)) {
                publisher.publish(letter("evt-1")).get(30, TimeUnit.SECONDS);
                publisher.publish(letter("evt-2")).get(30, TimeUnit.SECONDS);
            }
            try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), "dlq", true)) {
                var records = reader.pollAtLeast(2, Duration.ofSeconds(30));
                assertThat(records).hasSize(2);
                AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);
                ConsumerRecord<byte[], byte[]> first = records.get(0);
                assertThat(new String(first.key(), StandardCharsets.UTF_8)).isEqualTo("evt-1");
                DeadLetter decoded = codec.decode(first.value());
                assertThat(decoded.getStage()).isEqualTo(FailureStage.SINK);
                assertThat(decoded.getReason()).isEqualTo("mapping_conflict");
            }
        }
    }

    private static DeadLetter letter(String eventId) {
        return DeadLetter.newBuilder()
                .setEventId(eventId)
                .setStage(FailureStage.SINK)
                .setReason("mapping_conflict")
                .setErrorClass("mapper_parsing_exception")
                .setErrorMessage("failed to parse field [caption]")
                .setFailedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
    }
}
