package io.vlmtagger.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the build lays out: the job jar carries the job and its connectors but nothing a Flink
 * cluster provides (Flink, logging) or must load once per JVM (DJL/PyTorch, ImageIO plugins);
 * lib/ carries exactly those; the Prometheus reporter sits in plugins/; the scripts can be run.
 */
class DistributionLayoutITCase {

    /** Packages in both lib/ and the job jar on purpose: the job jar's copy is what its own classes get. */
    private static final List<String> ALLOWED_IN_BOTH = List.of(
            "org/apache/flink/connector/base/", // flink-dist has it; org.apache.flink. loads parent-first
            "net/jpountz/", "org/xerial/snappy/"); // compression codecs of Flink and of kafka-clients

    private static FlinkHome home;
    private static Set<String> jobJarClasses;
    private static Set<String> libClasses;

    @BeforeAll
    static void read() throws IOException {
        home = FlinkHome.fromBuild();
        jobJarClasses = classes(home.jobJar());
        libClasses = new TreeSet<>();
        for (Path jar : jars(home.lib())) {
            libClasses.addAll(classes(jar));
        }
    }

    @Test
    void jobJarCarriesTheJobAndItsConnectorsOnly() throws IOException {
        assertThat(jobJarClasses).contains(
                "io/vlmtagger/jobs/TaggingJob.class",
                "io/vlmtagger/models/pipeline/Blip2Captioner.class",
                "org/apache/flink/connector/kafka/sink/KafkaSink.class",
                "org/apache/kafka/clients/producer/KafkaProducer.class",
                "org/apache/avro/Schema.class",
                "org/apache/lucene/index/IndexWriter.class");
        for (String provided : List.of("ai/djl/", "com/twelvemonkeys/", "org/apache/flink/runtime/",
                "org/apache/flink/streaming/api/", "org/apache/flink/api/common/", "org/apache/logging/log4j/",
                "org/slf4j/", "kafka/server/", "org/apache/kafka/common/test/", "scala/", "org/junit/")) {
            assertThat(jobJarClasses).as("classes under %s in the job jar", provided)
                    .noneMatch(c -> c.startsWith(provided));
        }
        try (JarFile jar = new JarFile(home.jobJar().toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.vlmtagger.jobs.TaggingJob");
        }
    }

    @Test
    void libHasFlinkLoggingAndWhatLoadsOncePerJvm() throws IOException {
        List<String> lib = jars(home.lib()).stream().map(p -> p.getFileName().toString()).toList();
        for (Path extra : home.extraLibJars()) {
            assertThat(lib).as("lib/ has the extra jar the Docker images add").contains(extra.getFileName().toString());
        }
        for (String prefix : List.of("flink-runtime-", "flink-clients-", "flink-streaming-java-", "flink-connector-base-",
                "flink-rpc-akka-loader-", "log4j-core-", "log4j-slf4j-impl-", "pytorch-engine-", "pytorch-native-cpu-",
                "tokenizers-", "imageio-jpeg-", "imageio-webp-", "imageio-tiff-")) {
            assertThat(lib).as("lib/ jar %s*", prefix).anyMatch(name -> name.startsWith(prefix));
        }
        for (String prefix : List.of("vlm-tagger-", "kafka-clients-", "flink-connector-kafka-", "lucene-", "avro-",
                "flink-metrics-prometheus-")) {
            assertThat(lib).as("lib/ jar %s* (belongs in the job jar or plugins/)", prefix)
                    .noneMatch(name -> name.startsWith(prefix));
        }
        Set<String> both = new TreeSet<>(jobJarClasses);
        both.retainAll(libClasses);
        both.removeIf(c -> ALLOWED_IN_BOTH.stream().anyMatch(c::startsWith));
        assertThat(both).as("classes in both lib/ and the job jar").isEmpty();
    }

    @Test
    void prometheusReporterIsAPluginAndScriptsRun() throws IOException {
        List<Path> plugin = jars(home.dir().resolve("plugins/metrics-prometheus"));
        assertThat(plugin).hasSize(1);
        assertThat(classes(plugin.get(0))).contains("org/apache/flink/metrics/prometheus/PrometheusReporterFactory.class");
        for (String script : List.of("flink", "jobmanager.sh", "taskmanager.sh")) {
            assertThat(Files.isExecutable(home.bin(script))).as("bin/%s is executable", script).isTrue();
        }
        assertThat(Files.readString(home.conf().resolve("config.yaml")))
                .contains("classloader.parent-first-patterns.additional: ai.djl.");
    }

    private static List<Path> jars(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
    }

    private static Set<String> classes(Path jar) throws IOException {
        Set<String> names = new TreeSet<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().map(e -> e.getName())
                    .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/"))
                    .forEach(names::add);
        }
        return names;
    }
}
