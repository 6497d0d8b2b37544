package io.vlmtagger.jobs.reliability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vlmtagger.jobs.TaggingJob;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.reliability.BadInputCorpus.Category;
import io.vlmtagger.jobs.reliability.BadInputCorpus.Item;
import io.vlmtagger.jobs.testutils.PipelineHarness;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.TaskType;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input corpus ({@link BadInputCorpus}, over 100 inputs) through the real job on a
 * MiniCluster with a real Kafka broker and a local HTTP server: every input is either processed or
 * dead-lettered with its specific reason, nothing is lost or duplicated (in = out + dead letters),
 * neither a dead letter nor a log line carries a credential, and the job is still running and
 * processing afterwards. Images are decoded by the models module's real decoder ({@link DecodingCaptioner}).
 */
class BadInputCorpusITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineHarness.miniCluster();

    private static final String SECRET = "hunter2-secret";

    @TempDir
    Path tmp;

    private PipelineHarness harness;
    private HttpServer http;

    @BeforeEach
    void setUp() throws IOException {
        harness = new PipelineHarness(tmp);
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(Executors.newFixedThreadPool(4));
        byte[] ok = TestImages.pngRgb(40, 30);
        http.createContext("/ok.png", ex -> reply(ex, 200, ok));
        http.createContext("/slow.png", ex -> {
            sleep(6000);
            reply(ex, 200, ok);
        });
        http.createContext("/big.png", ex -> reply(ex, 200, new byte[3 * 1024 * 1024]));
        http.createContext("/redirect-out", ex -> {
            ex.getResponseHeaders().add("Location", "http://evil.example.invalid/x.png");
            reply(ex, 302, new byte[0]);
        });
        http.createContext("/missing.png", ex -> reply(ex, 404, new byte[0]));
        http.createContext("/error", ex -> reply(ex, 500, new byte[0]));
        http.start();
    }

    @AfterEach
    void tearDown() {
        http.stop(0);
        harness.close();
    }

    @Test
    void everyBadInputIsProcessedOrDeadLetteredWithItsReasonAndTheJobKeepsRunning() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("images"));
        Path inside = Files.write(root.resolve("inside.png"), TestImages.pngRgb(24, 24));
        Path outside = Files.write(tmp.resolve("secret.png"), TestImages.pngRgb(24, 24));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String base = "http://127.0.0.1:" + http.getAddress().getPort();
        List<Item> corpus = BadInputCorpus.generate(new BadInputCorpus.Env(root, inside, outside, base, closedPort));

        JobConfig config = harness.config(
                "fetch.allowed-roots", root.toString(),
                "fetch.allowed-hosts", "127.0.0.1",
                "fetch.timeout", "2 s",
                "fetch.max-bytes", "256 kb", // records over 320 KiB are refused
                "model.chat.checkpoint", "context-limited-chat");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TaggingJob.builder().setConfig(config)
                .setCaptionerProvider(DecodingCaptioner.provider())
                .optChatModelProvider(ContextLimitedChatModel.provider())
                .build()
                .addTo(env);
        LogCapture logs = LogCapture.attach();
        JobClient job = env.executeAsync("bad-input-corpus");
        try {
            harness.produceRaw(corpus.stream().map(Item::value).toList());
            long processed = corpus.stream().filter(i -> i.expected().equals(BadInputCorpus.PROCESSED)).count();
            long deadLettered = corpus.size() - processed;

            List<EnrichedImage> out = harness.readCommitted("image-captions", EnrichedImage.class, (int) processed,
                    Duration.ofSeconds(60), Duration.ofSeconds(1));
            List<DeadLetter> dls = harness.readCommitted("image-dead-letters", DeadLetter.class, (int) deadLettered,
                    Duration.ofSeconds(30), Duration.ofSeconds(1));

            Map<Item, List<String>> outcomes = outcomes(corpus, out, dls);
            List<String> mismatches = new ArrayList<>();
            Map<Category, int[]> summary = new EnumMap<>(Category.class);
            for (Item item : corpus) {
                List<String> got = outcomes.get(item);
                int[] row = summary.computeIfAbsent(item.category(), c -> new int[3]);
                row[0]++;
                if (got.size() == 1 && got.get(0).equals(BadInputCorpus.PROCESSED)) {
                    row[1]++;
                } else if (got.size() == 1) {
                    row[2]++;
                }
                if (!got.equals(List.of(item.expected()))) {
                    mismatches.add(item.description() + ": expected " + item.expected() + ", got " + got);
                }
            }
            printSummary(summary, out.size(), dls.size());
            assertThat(mismatches).as("inputs whose outcome is not the expected one").isEmpty();
            assertThat(out).hasSize((int) processed);
            assertThat(dls).hasSize((int) deadLettered);
            assertThat(out.size() + dls.size()).as("in = out + dead letters").isEqualTo(corpus.size());
            assertThat(summary.get(Category.ODD_IMAGE)[1]).isEqualTo(summary.get(Category.ODD_IMAGE)[0]);

            assertThat(dls).allSatisfy(d -> {
                assertThat(d.getErrorMessage()).doesNotContain(SECRET);
                assertThat(new String(bytes(d.getOriginalBytes()), StandardCharsets.ISO_8859_1)).doesNotContain(SECRET);
            });

            assertThat(logs.lines()).as("log lines while the corpus ran").isNotEmpty()
                    .noneSatisfy(line -> assertThat(line).contains(SECRET));

            // still running, still processing
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            harness.produce(b -> b.optEventIds(() -> "after-the-corpus").optTasks(List.of(TaskType.CAPTION)),
                    p -> p.send(p.eventForBytes(TestImages.pngRgb(33, 22), "image/png")).get());
            List<EnrichedImage> after = harness.readCommitted("image-captions", EnrichedImage.class,
                    (int) processed + 1, Duration.ofSeconds(30), Duration.ZERO);
            assertThat(after).extracting(EnrichedImage::getEventId).contains("after-the-corpus");
            assertThat(after).filteredOn(e -> e.getEventId().equals("after-the-corpus"))
                    .extracting(EnrichedImage::getCaption).containsExactly("a photo of a 33x22 image");
        } finally {
            logs.close();
            job.cancel().get();
        }
    }

    /** Each item's outcomes: "processed" per enriched record, "STAGE/reason" per dead letter. */
    private static Map<Item, List<String>> outcomes(List<Item> corpus, List<EnrichedImage> out, List<DeadLetter> dls) {
        Map<String, Item> byId = new HashMap<>();
        Map<ByteBuffer, Item> byBytes = new HashMap<>();
        Map<Item, List<String>> outcomes = new HashMap<>();
        Item tombstone = null;
        for (Item i : corpus) {
            outcomes.put(i, new ArrayList<>());
            if (i.eventId() != null) {
                byId.put(i.eventId(), i);
            } else if (i.value() == null) {
                tombstone = i; // its dead letter has no original bytes
            } else {
                byBytes.put(ByteBuffer.wrap(i.value()), i);
            }
        }
        List<String> strays = new ArrayList<>();
        for (EnrichedImage e : out) {
            Item i = byId.get(e.getEventId());
            if (i == null) {
                strays.add("enriched " + e.getEventId());
            } else {
                outcomes.get(i).add(BadInputCorpus.PROCESSED);
            }
        }
        for (DeadLetter d : dls) {
            Item i = d.getEventId() != null ? byId.get(d.getEventId()) : null;
            if (i == null && d.getEventId() == null && d.getOriginalBytes() == null) {
                i = tombstone;
            } else if (i == null && d.getOriginalBytes() != null) {
                i = byBytes.get(ByteBuffer.wrap(bytes(d.getOriginalBytes())));
                if (i == null && d.getTruncated()) {
                    i = corpus.stream().filter(c -> c.eventId() == null && c.value() != null && startsWith(c.value(), bytes(d.getOriginalBytes())))
                            .findFirst().orElse(null);
                }
            }
            String outcome = BadInputCorpus.dl(d.getStage(), d.getReason());
            if (i == null) {
                strays.add("dead letter " + d.getEventId() + " " + outcome + ": " + d.getErrorMessage());
            } else {
                outcomes.get(i).add(outcome);
            }
        }
        assertThat(strays).as("outputs that match no input").isEmpty();
        return outcomes;
    }

    private static void printSummary(Map<Category, int[]> summary, int out, int dls) {
        System.out.println("bad-input corpus through the job");
        System.out.printf("%-14s %6s %10s %14s%n", "category", "inputs", "processed", "dead-lettered");
        int[] total = new int[3];
        summary.forEach((c, r) -> {
            System.out.printf("%-14s %6d %10d %14d%n", c, r[0], r[1], r[2]);
            for (int k = 0; k < 3; k++) {
                total[k] += r[k];
            }
        });
        System.out.printf("%-14s %6d %10d %14d   (enriched records %d, dead letters %d)%n",
                "TOTAL", total[0], total[1], total[2], out, dls);
    }

    private static boolean startsWith(byte[] value, byte[] prefix) {
        return value.length >= prefix.length && Arrays.equals(value, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return new byte[0];
        }
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    private static void reply(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "image/png");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        } catch (IOException clientGone) {
            // the fetcher gave up (timeout, size cap): fine
        }
        ex.close();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
