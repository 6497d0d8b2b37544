package io.vlmtagger.jobs.contract;

import io.vlmtagger.jobs.kafka.EmbeddedKafka;
import io.vlmtagger.jobs.local.LocalImages;
import io.vlmtagger.jobs.testutils.ListeningSockets;
import io.vlmtagger.operators.search.lucene.LuceneSearcher;
import io.vlmtagger.operators.search.lucene.SearchHit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kafka contract as an outside client sees it (issue #19): the job is started with plain
 * {@code java} from its runtime classpath, on the shipped tiny checkpoints ({@code builtin:}), and
 * is talked to only through Kafka bytes that {@link OutsideClient} builds from {@code .avsc} text
 * with Avro GenericRecords. Covered, in order:
 * <ol>
 *   <li>a missing option, unreachable brokers and missing topics end the start at once with one
 *       message (exit code 2, no stack trace);</li>
 *   <li>with {@code --startup.create-topics true} the job creates its topics and runs, logging to
 *       stdout by default, its embedded cluster listening on loopback only;</li>
 *   <li>producers of schema files the project does not compile against are read once registered:
 *       an added optional field (writer-schema directory), removed optional fields and a new enum
 *       symbol (writer-schema topic, registered after the job started); the unknown task is
 *       ignored next to CAPTION;</li>
 *   <li>an event asking for CAPTION and CHAT yields one record with caption, tags and answer, on
 *       the captions topic and in the search index;</li>
 *   <li>unreadable records become dead letters that keep the producer's key and say what to fix:
 *       the fingerprint as the 8 header bytes next to the expected ones, the field of a bad enum
 *       index, the reason an incompatible schema was refused;</li>
 *   <li>no "pendingCommittables" name-collision warnings at 1 s checkpoints.</li>
 * </ol>
 */
class KafkaContractITCase {
    private static final String IMAGES = "images";
    private static final String CAPTIONS = "image-captions";
    private static final String ANSWERS = "chat-answers";
    private static final String DEAD_LETTERS = "image-dead-letters";
    private static final String SCHEMAS = "image-schemas";
    private static final Duration START = Duration.ofMinutes(3);

    @TempDir
    Path work;

    @Test
    void anOutsideClientGetsWhatTheContractPromises() throws Exception {
        Schema current = OutsideClient.schema(OutsideClient.AVRO_DIR.resolve("ImageEvent.avsc"));
        Schema priority = contract("ImageEvent-priority.avsc");
        Schema minimal = contract("ImageEvent-minimal.avsc");
        Schema detect = contract("ImageEvent-detect.avsc");
        Schema unregistered = contract("ImageEvent-unregistered.avsc");
        Schema noSource = contract("ImageEvent-no-source.avsc");
        Schema enriched = OutsideClient.schema(OutsideClient.AVRO_DIR.resolve("EnrichedImage.avsc"));
        Schema answer = OutsideClient.schema(OutsideClient.AVRO_DIR.resolve("ChatAnswer.avsc"));
        Schema deadLetter = OutsideClient.schema(OutsideClient.AVRO_DIR.resolve("DeadLetter.avsc"));
        // the header bytes schemas/README.md tells producers to write
        assertThat(OutsideClient.fingerprintHex(current)).isEqualTo("3c3e3466a3e92106");

        Path writerDir = Files.createDirectories(work.resolve("writer-schemas"));
        Files.copy(resource("ImageEvent-priority.avsc"), writerDir.resolve("ImageEvent-priority.avsc"));
        Files.copy(resource("ImageEvent-no-source.avsc"), writerDir.resolve("ImageEvent-no-source.avsc"));
        List<LocalImages.LocalImage> images = LocalImages.samples(work.resolve("images"), 6);
        Path index = work.resolve("index");

        try (EmbeddedKafka kafka = EmbeddedKafka.start(); OutsideClient client = new OutsideClient(kafka.bootstrapServers())) {
            List<String> args = List.of("--kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "--model.caption.checkpoint", "builtin:tiny-blip2-shapes",
                    "--model.chat.checkpoint", "builtin:tiny-llava-shapes", "--chat.max-new-tokens", "4",
                    "--job.parallelism", "1", "--checkpoint.interval", "1 s", "--inference.max-batch-wait", "20 ms",
                    "--search.lucene.dir", index.toString(),
                    "--schemas.writer-dir", writerDir.toString(), "--schemas.writer-topic", SCHEMAS,
                    "--schemas.retry-interval", "1 s");

            startFailsWithOneLine(List.of("--kafka.bootstrap-servers", kafka.bootstrapServers()), "configuration error: "
                    + "model.caption.checkpoint is not set: give the BLIP-2 checkpoint directory");
            startFailsWithOneLine(List.of("--kafka.bootstrap-servers", "127.0.0.1:" + closedPort(),
                    "--model.caption.checkpoint", "builtin:tiny-blip2-shapes", "--startup.kafka-timeout", "3 s"),
                    "start-up check failed: cannot reach the Kafka brokers at 127.0.0.1:");
            String missing = startFailsWithOneLine(args, "start-up check failed: 5 Kafka topics the job needs are missing at "
                    + kafka.bootstrapServers());
            assertThat(missing).contains("images (topic.input)", "image-captions (topic.captions)",
                    "image-dead-letters (topic.dead-letters)", "chat-answers (topic.chat-answers)",
                    "image-schemas (schemas.writer-topic)",
                    "kafka-topics.sh --bootstrap-server " + kafka.bootstrapServers() + " --create --topic images",
                    "--config cleanup.policy=compact", "--startup.create-topics true");

            GenericRecord both;
            List<String> withCreate = new ArrayList<>(args);
            withCreate.addAll(List.of("--startup.create-topics", "true"));
            try (JobProcess job = JobProcess.start(work, "job", withCreate)) {
                assertThat(job.awaitOutput("start-up checks passed", START)).as(output(job)).isTrue();
                assertThat(job.awaitOutput("to RUNNING", START)).as(output(job)).isTrue();
                kafka.createTopics(1, IMAGES, CAPTIONS, ANSWERS, DEAD_LETTERS, SCHEMAS); // created by the job; waits for leaders
                assertThat(ListeningSockets.ofProcess(job.pid())).as("the job's listening sockets").isNotEmpty()
                        .allSatisfy(l -> assertThat(l.loopback()).as("port %d on %s", l.port(), l.address()).isTrue());

                // registered after the job started: no redeploy
                client.send(SCHEMAS, "ImageEvent/" + OutsideClient.fingerprintHex(minimal), Files.readAllBytes(resource("ImageEvent-minimal.avsc")));
                client.send(SCHEMAS, "ImageEvent/" + OutsideClient.fingerprintHex(detect), Files.readAllBytes(resource("ImageEvent-detect.avsc")));

                send(client, current, "cur-1", png(images, 0), List.of("CAPTION"), null);
                send(client, priority, "prio-1", png(images, 1), List.of("CAPTION"), null);
                send(client, minimal, "min-1", png(images, 2), List.of("CAPTION"), null);
                send(client, detect, "detect-1", png(images, 3), List.of("CAPTION", "DETECT"), null);
                send(client, current, "both-1", png(images, 4), List.of("CAPTION", "CHAT"), "how many shapes are there?");
                client.send(IMAGES, "key-unregistered", OutsideClient.singleObject(unregistered,
                        OutsideClient.event(unregistered, "unreg-1", png(images, 5), List.of("CAPTION"), null)));
                // the case: a newer enum symbol written under this job's own fingerprint
                client.send(IMAGES, "key-lying", OutsideClient.singleObject(current, detect,
                        OutsideClient.event(detect, "lying-1", png(images, 5), List.of("DETECT"), null)));
                client.send(IMAGES, "key-no-source", OutsideClient.singleObject(noSource,
                        OutsideClient.event(noSource, "nosrc-1", png(images, 5), List.of("CAPTION"), null)));
                client.send(IMAGES, "key-junk", "this record is not an ImageEvent".getBytes(StandardCharsets.UTF_8));

                List<OutsideClient.Read> results = client.readCommitted(CAPTIONS, enriched,
                        r -> keys(r).containsAll(List.of("cur-1", "prio-1", "min-1", "detect-1", "both-1")),
                        Duration.ofMinutes(5), Duration.ofSeconds(4));
                List<OutsideClient.Read> dead = client.readCommitted(DEAD_LETTERS, deadLetter, r -> r.size() >= 4,
                        Duration.ofMinutes(1), Duration.ofSeconds(2));
                List<OutsideClient.Read> answers = client.readCommitted(ANSWERS, answer, r -> r.size() >= 1,
                        Duration.ofMinutes(1), Duration.ofSeconds(1));
                Thread.sleep(2000); // a few more 1 s checkpoints, then look at the logs

                // one record per event, keyed by event id
                assertThat(keys(results)).as(output(job)).containsExactlyInAnyOrder("cur-1", "prio-1", "min-1", "detect-1", "both-1");
                Map<String, GenericRecord> byId = results.stream()
                        .collect(Collectors.toMap(OutsideClient.Read::key, OutsideClient.Read::record));
                byId.values().forEach(r -> assertThat(str(r, "caption")).isNotBlank());
                assertThat(str(byId.get("prio-1"), "source")).isEqualTo("outside-producer");
                assertThat(((Map<?, ?>) byId.get("min-1").get("attributes"))).isEmpty();
                both = byId.get("both-1");
                assertThat(str(both, "question")).isEqualTo("how many shapes are there?");
                assertThat(str(both, "answer")).isNotBlank();
                assertThat((List<?>) both.get("tags")).isNotEmpty();
                assertThat(((List<?>) both.get("models")).stream().map(m -> str((GenericRecord) m, "stage")).toList())
                        .containsExactly("caption", "chat");
                assertThat(answers).singleElement().satisfies(a -> {
                    assertThat(a.key()).isEqualTo("both-1");
                    assertThat(str(a.record(), "answer")).isEqualTo(str(both, "answer"));
                });

                // dead letters keep the producer's key and say what to fix
                Map<String, GenericRecord> byKey = dead.stream()
                        .collect(Collectors.toMap(d -> utf8(d.record().get("kafkaKey")), OutsideClient.Read::record));
                assertThat(byKey).containsOnlyKeys("key-unregistered", "key-lying", "key-no-source", "key-junk");
                assertThat(dead).extracting(OutsideClient.Read::key)
                        .containsExactlyInAnyOrder("key-unregistered", "key-lying", "key-no-source", "key-junk");
                GenericRecord unknown = byKey.get("key-unregistered");
                assertThat(str(unknown, "reason")).isEqualTo("unknown_schema");
                assertThat(str(unknown, "errorMessage"))
                        .contains("the record's fingerprint (header bytes 3-10, hex) is " + OutsideClient.fingerprintHex(unregistered))
                        .contains("3c3e3466a3e92106 (v1, this build)")
                        .contains(OutsideClient.fingerprintHex(priority) + " (file " + writerDir.resolve("ImageEvent-priority.avsc"));
                assertThat(str(byKey.get("key-lying"), "reason")).isEqualTo("avro_decode_error");
                assertThat(str(byKey.get("key-lying"), "errorMessage"))
                        .contains("tasks[0]: enum TaskType index 4, but the writer schema has 4 symbols");
                assertThat(str(byKey.get("key-no-source"), "reason")).isEqualTo("incompatible_schema");
                assertThat(str(byKey.get("key-no-source"), "errorMessage")).contains("ImageEvent-no-source.avsc").contains("source");
                assertThat(str(byKey.get("key-junk"), "reason")).isEqualTo("unknown_schema");
                assertThat(str(byKey.get("key-junk"), "errorMessage")).contains("must start with C3 01");
                assertThat(byKey.values()).allSatisfy(d -> assertThat(str(d, "stage")).isEqualTo("DECODE"));

                // logs by default, without the sink's metric collision
                String log = job.stdout();
                assertThat(log).contains("INFO", "start-up checks passed", "results: ", "switched from state")
                        .doesNotContain("Name collision");
            }

            // one search document per event; both-1's holds caption and answer
            try (LuceneSearcher searcher = new LuceneSearcher(index)) {
                assertThat(searcher.count()).isEqualTo(5);
                String query = ((List<?>) both.get("tags")).stream().map(Object::toString).collect(Collectors.joining(" "));
                SearchHit hit = searcher.search(query, 20).stream().filter(h -> h.eventId().equals("both-1"))
                        .findFirst().orElseThrow(() -> new AssertionError("both-1 not found for " + query));
                assertThat(hit.caption()).isEqualTo(str(both, "caption"));
                assertThat(hit.answer()).isEqualTo(str(both, "answer"));
            }
        }
    }

    private String startFailsWithOneLine(List<String> args, String expectedStart) throws Exception {
        try (JobProcess p = JobProcess.start(work, "failing-start", args)) {
            int code = p.awaitExit(Duration.ofMinutes(2));
            String err = p.stderr();
            assertThat(code).as("exit code; stderr: %s", err).isEqualTo(2);
            assertThat(err).startsWith(expectedStart).doesNotContain("\tat ").doesNotContain("Exception in thread");
            return err;
        }
    }

    private static void send(OutsideClient client, Schema schema, String id, byte[] png, List<String> tasks,
                             String question) throws Exception {
        client.send(IMAGES, id, OutsideClient.singleObject(schema, OutsideClient.event(schema, id, png, tasks, question)));
    }

    private static Schema contract(String name) throws Exception {
        return OutsideClient.schema(resource(name));
    }

    private static Path resource(String name) throws Exception {
        return Path.of(KafkaContractITCase.class.getResource("/contract/" + name).toURI());
    }

    private static byte[] png(List<LocalImages.LocalImage> images, int i) throws Exception {
        return Files.readAllBytes(images.get(i).file());
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static List<String> keys(List<OutsideClient.Read> reads) {
        return reads.stream().map(OutsideClient.Read::key).toList();
    }

    private static String str(GenericRecord r, String field) {
        Object v = r.get(field);
        return v == null ? null : v.toString();
    }

    private static String utf8(Object bytes) {
        if (bytes == null) {
            return null;
        }
        ByteBuffer b = ((ByteBuffer) bytes).duplicate();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    private static String output(JobProcess job) {
        try {
            return "stdout:\n" + job.stdout() + "\nstderr:\n" + job.stderr();
        } catch (Exception e) {
            return "(no output: " + e + ")";
        }
    }

}
