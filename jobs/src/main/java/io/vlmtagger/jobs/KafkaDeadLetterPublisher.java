package io.vlmtagger.jobs;

import io.vlmtagger.operators.search.DeadLetterPublisher;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.serde.AvroCodec;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends the documents a search cluster rejected for good (stage SINK) to the dead-letter topic.
 *
 * <p>A sink cannot emit side outputs, so the search sink publishes its dead letters itself. This
 * publisher uses a plain idempotent producer with {@code acks=all}: the sink waits for each send
 * before it counts the document as done, so a letter is never lost (at-least-once: a restart may
 * repeat one; the letter carries the event id for deduplication). Same wire format and key as the
 * job's transactional dead-letter sink.
 */
final class KafkaDeadLetterPublisher implements DeadLetterPublisher {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);

    KafkaDeadLetterPublisher(String bootstrapServers, String topic, String clientId) {
        Properties props = new Properties();
        props.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.setProperty(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        props.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    /** A factory for the sink: one producer per sink subtask, created on the task manager. */
    static Factory factory(String bootstrapServers, String topic, String clientIdPrefix) {
        return subtask -> new KafkaDeadLetterPublisher(bootstrapServers, topic, clientIdPrefix + "-" + subtask);
    }

    @Override
    public CompletableFuture<Void> publish(DeadLetter letter) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, letter.getEventId(), codec.encode(letter));
        producer.send(record, (metadata, error) -> {
            if (error == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(error);
            }
        });
        return done;
    }

    @Override
    public void close() {
        producer.close();
    }
}
