package io.vlmtagger.schemas.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;
import io.vlmtagger.schemas.serde.AvroKafkaDeserializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a real in-process KRaft broker: what it reports is what lands on the topic. */
class SendImagesITCase {
    private static KafkaClusterTestKit kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic("images", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            // produce only once the partition has a leader (see /work/shared/NOTES.md)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (admin.describeTopics(List.of("images")).allTopicNames().get().get("images").partitions().get(0)
                    .leader() == null && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            // and once the broker's replica manager serves it (ListOffsets is answered there): a
            // first batch refused before that can leave the idempotent producer retrying it with
            // OUT_OF_ORDER_SEQUENCE until its delivery timeout (KAFKA-14359)
            admin.listOffsets(java.util.Map.of(new org.apache.kafka.common.TopicPartition("images", 0),
                    org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void sendsEveryImageOnceAndReportsCounts() throws Exception {
        Files.write(dir.resolve("small.png"), new byte[] {1, 2, 3});
        byte[] big = new byte[4096];
        big[0] = 42;
        Files.write(dir.resolve("big.jpg"), big);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int rc = SendImages.run(new String[] {"--bootstrap-servers", kafka.bootstrapServers(), "--topic", "images",
                "--inline-max-bytes", "1024", "--question", "what shape?", dir.toString()},
                new PrintStream(out), new PrintStream(err), null);

        assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).trim()).isEqualTo("sent=2 inline=1 by_reference=1 failed=0");

        List<ConsumerRecord<String, ImageEvent>> records = consumeAll("images", 2);
        assertThat(records).hasSize(2);
        Map<Boolean, List<ImageEvent>> byInline = new java.util.HashMap<>();
        for (ConsumerRecord<String, ImageEvent> r : records) {
            assertThat(r.key()).isEqualTo(r.value().getEventId());
            assertThat(r.value().getTasks()).containsExactly(TaskType.CAPTION, TaskType.CHAT);
            byInline.computeIfAbsent(r.value().getImage() instanceof InlineImage, k -> new ArrayList<>()).add(r.value());
        }
        ImageRef ref = (ImageRef) byInline.get(false).get(0).getImage();
        assertThat(ref.getUri()).endsWith("big.jpg");
        assertThat(ref.getSha256()).isEqualTo(Sha256.hex(big));
        assertThat(((InlineImage) byInline.get(true).get(0).getImage()).getData().remaining()).isEqualTo(3);
    }

    @Test
    void anUnreachableBrokerIsAFailureNotAHang() throws Exception {
        Files.write(dir.resolve("a.png"), new byte[] {1});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int rc = SendImages.run(new String[] {"--bootstrap-servers", "127.0.0.1:1", "--topic", "images",
                "--producer-property", "max.block.ms=2000", "--producer-property", "request.timeout.ms=1000",
                "--producer-property", "delivery.timeout.ms=2000", dir.toString()}, new PrintStream(out), new PrintStream(err), null);
        assertThat(rc).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("failed=1");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    private static List<ConsumerRecord<String, ImageEvent>> consumeAll(String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        List<ConsumerRecord<String, ImageEvent>> out = new ArrayList<>();
        try (KafkaConsumer<String, ImageEvent> c = new KafkaConsumer<>(p, new StringDeserializer(),
                new AvroKafkaDeserializer<>(ImageEvent.class))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // nothing more than expected arrives
            c.poll(Duration.ofMillis(500)).forEach(out::add);
        }
        return out;
    }
}
