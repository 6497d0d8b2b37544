package io.vlmtagger.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmtagger.jobs.kafka.EmbeddedKafka;
import io.vlmtagger.jobs.kafka.TopicReader;
import io.vlmtagger.schemas.producer.ImageEventProducer;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Why DJL goes into Flink's lib/ and not into the job: a TaskManager as a stock Flink distribution
 * has it (no DJL in lib/, no {@code classloader.parent-first-patterns.additional}), and jobs that
 * carry DJL on their own class path ({@code bin/flink run -C <jar> ...} with the jars the home
 * adds to lib/, the same user class loader a fat job jar gets). The first such job loads PyTorch's native libraries through its
 * class loader and captions; the second job on the same TaskManager cannot load them again
 * ({@code UnsatisfiedLinkError ... already loaded in another classloader}), so it never captions.
 * StandaloneClusterITCase shows the layout that avoids this.
 */
class DjlInTheJobClassPathITCase {

    private static final Duration START = Duration.ofMinutes(2);
    private static final Duration RESULTS = Duration.ofMinutes(3);
    private static final Pattern ALREADY_LOADED =
            Pattern.compile("(UnsatisfiedLinkError.*already loaded in another classloader)");
    private static final int EVENTS = 4;

    @Test
    void theSecondJobThatCarriesDjlCannotLoadPyTorchOnTheSameTaskManager() throws Exception {
        FlinkHome home = FlinkHome.fromBuild();
        Path work = home.workDir("djl-in-the-job");
        Path stockLib = libWithoutDjl(home, work.resolve("lib-without-djl"));
        Map<String, String> stock = new HashMap<>();
        stock.put("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
        stock.put("io.tmp.dirs", work.resolve("tmp").toString());
        stock.put("classloader.parent-first-patterns.additional", null); // as a stock Flink has it
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().optBaseDirectory(work.resolve("kafka")).build();
             StandaloneCluster cluster = StandaloneCluster.configure(home, work, stock)) {
            kafka.createTopics(1, "images-a", "captions-a", "dead-letters-a", "chat-answers-a",
                    "images-b", "captions-b", "dead-letters-b", "chat-answers-b");
            cluster.startJobManager(START);
            FlinkProcess tm = cluster.startTaskManager(Map.of("FLINK_LIB_DIR", stockLib.toString()));
            cluster.awaitTaskManagers(1, START);

            String first = cluster.submitDetached(run(home, kafka, "a"));
            produce(kafka, "images-a");
            try (TopicReader captions = new TopicReader(kafka.bootstrapServers(), "captions-a", true)) {
                assertThat(captions.pollAtLeast(EVENTS, RESULTS)).as("the first job captions").hasSize(EVENTS);
            }
            cluster.flink("cancel", first);
            cluster.awaitJobState(first, "CANCELED", START);
            assertThat(tm.countLogLines("already loaded in another classloader")).isZero();

            cluster.submitDetached(run(home, kafka, "b")); // stopped with the cluster
            produce(kafka, "images-b");
            String error = tm.awaitLog(ALREADY_LOADED, RESULTS);
            System.out.println("second job with DJL in its class path: " + error);
            try (TopicReader captions = new TopicReader(kafka.bootstrapServers(), "captions-b", true)) {
                assertThat(captions.pollAtLeast(1, Duration.ofSeconds(5))).as("the second job captions nothing").isEmpty();
            }
        }
    }

    /** {@code run -d -C <each DJL jar> -c TaggingJob <job jar> ...} for topics with suffix {@code s}. */
    private static String[] run(FlinkHome home, EmbeddedKafka kafka, String s) {
        List<String> args = new ArrayList<>(List.of("-p", "1"));
        for (Path jar : home.extraLibJars()) {
            args.addAll(List.of("-C", jar.toUri().toString()));
        }
        args.addAll(List.of("-c", "io.vlmtagger.jobs.TaggingJob", home.jobJar().toString(),
                "--kafka.bootstrap-servers", kafka.bootstrapServers(),
                "--kafka.group-id", "group-" + s,
                "--kafka.transactional-id-prefix", "tx-" + s,
                "--topic.input", "images-" + s,
                "--topic.captions", "captions-" + s,
                "--topic.dead-letters", "dead-letters-" + s,
                "--topic.chat-answers", "chat-answers-" + s,
                "--model.caption.checkpoint", StandaloneClusterITCase.TINY_BLIP2,
                "--checkpoint.interval", "1 s",
                "--search.backend", "none",
                "--job.name", "djl-in-the-job-" + s));
        return args.toArray(new String[0]);
    }

    /** lib/ as a stock Flink has it: the home's lib/ without DJL and the other extra jars (symbolic links). */
    private static Path libWithoutDjl(FlinkHome home, Path target) throws IOException {
        Set<String> extra = home.extraLibJars().stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        Files.createDirectories(target);
        try (Stream<Path> jars = Files.list(home.lib())) {
            for (Path jar : jars.toList()) {
                if (!extra.contains(jar.getFileName().toString())) {
                    Files.createSymbolicLink(target.resolve(jar.getFileName()), jar);
                }
            }
        }
        assertThat(extra).as("extra jars in the home's lib/").anyMatch(name -> name.startsWith("pytorch-engine-"));
        return target;
    }

    private static void produce(EmbeddedKafka kafka, String topic) throws Exception {
        try (ImageEventProducer p = ImageEventProducer.builder()
                .setBootstrapServers(kafka.bootstrapServers()).setTopic(topic).build()) {
            for (int i = 0; i < EVENTS; i++) {
                p.send(p.eventForBytes(square(i), "image/png")).get();
            }
            p.flush();
        }
    }

    private static byte[] square(int i) {
        BufferedImage image = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.getHSBColor(i / (float) EVENTS, 0.8f, 0.9f));
        g.fillRect(20, 20, 56, 56);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
