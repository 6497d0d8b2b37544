package io.vlmtagger.jobs.bench;

import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.serde.AvroCodec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads an output topic with {@code read_committed} on its own thread and notes when each event id
 * first became visible ({@link System#nanoTime}): what a downstream consumer of the exactly-once
 * output can see, so checkpoint-bound visibility is part of every figure.
 */
final class ResultWatcher implements AutoCloseable {
    private final Map<String, Long> visibleAt = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile Throwable failure;
    private volatile ResultWatcher deadLetters;

    /** Watches enriched images on {@code topic}. */
    ResultWatcher(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, false);
    }

    /** Watches {@code topic}, which holds enriched images or, with {@code deadLetterTopic}, dead letters. */
    ResultWatcher(String bootstrapServers, String topic, boolean deadLetterTopic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
            parts.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        AvroCodec<EnrichedImage> codec = AvroCodec.of(EnrichedImage.class);
        AvroCodec<DeadLetter> dlq = AvroCodec.of(DeadLetter.class);
        thread = new Thread(() -> {
            try (consumer) {
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        if (deadLetterTopic) {
                            DeadLetter d = dlq.decode(r.value());
                            visibleAt.putIfAbsent(d.getEventId() + " (" + d.getStage() + " " + d.getReason() + ": "
                                    + d.getErrorClass() + ")", now);
                        } else {
                            visibleAt.putIfAbsent(codec.decode(r.value()).getEventId(), now);
                        }
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }, "bench-watcher-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** Makes {@link #awaitCount} fail as soon as {@code watcher} sees a dead letter. */
    void failOn(ResultWatcher watcher) {
        this.deadLetters = watcher;
    }

    int count() {
        return visibleAt.size();
    }

    Long visibleAt(String eventId) {
        return visibleAt.get(eventId);
    }

    /** Waits until {@code n} distinct events are visible; fails with the count when {@code timeout} passes. */
    void awaitCount(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count() < n) {
            if (failure != null) {
                throw new IllegalStateException("reading results failed", failure);
            }
            if (deadLetters != null && deadLetters.count() > 0) {
                throw new IllegalStateException("the job dead-lettered " + deadLetters.count() + " events, e.g. "
                        + deadLetters.visibleAt.keySet().iterator().next());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + count() + " of " + n + " results visible after " + timeout
                        + "; raise the timeout with --timeout-s or check the job's log");
            }
            Thread.sleep(10);
        }
    }

    /** Latest visibility time among {@code ids}. */
    long lastVisible(Iterable<String> ids) {
        long last = Long.MIN_VALUE;
        for (String id : ids) {
            last = Math.max(last, visibleAt.get(id));
        }
        return last;
    }

    /** Earliest visibility time among {@code ids}. */
    long firstVisible(Iterable<String> ids) {
        long first = Long.MAX_VALUE;
        for (String id : ids) {
            first = Math.min(first, visibleAt.get(id));
        }
        return first;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5000);
    }
}
