package io.vlmtagger.jobs.local;

import io.vlmtagger.jobs.kafka.TopicReader;
import io.vlmtagger.schemas.ChatAnswer;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.serde.AvroCodec;
import io.vlmtagger.schemas.serde.AvroDecodeException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows the job's three output topics with {@code read_committed} consumers (what a downstream
 * consumer sees: only records of completed checkpoints) and keeps what arrived, with the time each
 * record was written.
 */
final class OutputWatcher implements AutoCloseable {

    /** An output record and when this watcher first saw it (epoch ms): when it became visible. */
    record Timed<T>(T value, long seenAtMs) {}

    private final TopicReader captions;
    private final TopicReader answers;
    private final TopicReader deadLetters;
    private final AvroCodec<EnrichedImage> enrichedCodec = AvroCodec.of(EnrichedImage.class);
    private final AvroCodec<ChatAnswer> answerCodec = AvroCodec.of(ChatAnswer.class);
    private final AvroCodec<DeadLetter> deadLetterCodec = AvroCodec.of(DeadLetter.class);

    private final List<Timed<EnrichedImage>> enriched = new ArrayList<>();
    private final List<Timed<ChatAnswer>> chatAnswers = new ArrayList<>();
    private final List<Timed<DeadLetter>> dead = new ArrayList<>();

    OutputWatcher(String bootstrap, String captionsTopic, String answersTopic, String deadLettersTopic) {
        this.captions = new TopicReader(bootstrap, captionsTopic, true);
        this.answers = new TopicReader(bootstrap, answersTopic, true);
        this.deadLetters = new TopicReader(bootstrap, deadLettersTopic, true);
    }

    /** Polls every topic once (briefly) and decodes what is new. */
    void poll() throws AvroDecodeException {
        decodeNew(captions.poll(Duration.ofMillis(100)), enriched, enrichedCodec);
        decodeNew(answers.poll(Duration.ofMillis(50)), chatAnswers, answerCodec);
        decodeNew(deadLetters.poll(Duration.ofMillis(50)), dead, deadLetterCodec);
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> void decodeNew(
            List<ConsumerRecord<byte[], byte[]>> all, List<Timed<T>> into, AvroCodec<T> codec) throws AvroDecodeException {
        long now = System.currentTimeMillis();
        for (int i = into.size(); i < all.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = all.get(i);
            into.add(new Timed<>(codec.decode(r.value()), now));
        }
    }

    /** Enriched images of the caption path (no question, not few-shot). */
    List<Timed<EnrichedImage>> captioned() {
        return enriched.stream().filter(t -> t.value().getQuestion() == null && !LocalFewShot.isFewShot(t.value()))
                .toList();
    }

    /** Enriched images of the few-shot path. */
    List<EnrichedImage> fewShot() {
        return enriched.stream().map(Timed::value).filter(LocalFewShot::isFewShot).toList();
    }

    List<Timed<ChatAnswer>> answers() {
        return List.copyOf(chatAnswers);
    }

    List<Timed<DeadLetter>> deadLetters() {
        return List.copyOf(dead);
    }

    @Override
    public void close() {
        captions.close();
        answers.close();
        deadLetters.close();
    }
}
