package io.vlmtagger.jobs.startup;

import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.kafka.EmbeddedKafka;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The start-up checks against a real broker (auto-creation off, as in production): missing topics
 * are named with their options and the commands that create them, or created on request; an
 * unreachable broker and a bad writer-schema directory fail at once with what to fix.
 */
class StartupChecksITCase {
    private static EmbeddedKafka kafka;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private JobConfig config(String... extra) {
        String[] base = {"--kafka.bootstrap-servers", kafka.bootstrapServers(), "--model.caption.checkpoint", "/m/blip2",
                "--topic.input", "in-" + tmp.getFileName(), "--topic.captions", "out-" + tmp.getFileName(),
                "--topic.dead-letters", "dlq-" + tmp.getFileName()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return JobConfig.fromArgs(all);
    }

    @Test
    void missingTopicsAreNamedWithTheCommandsThatCreateThem() {
        JobConfig config = config("--model.chat.checkpoint", "/m/llava");
        kafka.createTopics(1, config.get(io.vlmtagger.jobs.config.JobOptions.TOPIC_CAPTIONS));

        StartupCheckException e = catchThrowableOfType(StartupCheckException.class,
                () -> StartupChecks.run(config, new Configuration(), true));

        String in = "in-" + tmp.getFileName();
        assertThat(e.getMessage())
                .startsWith("3 Kafka topics the job needs are missing at " + kafka.bootstrapServers())
                .contains(in + " (topic.input)")
                .contains("dlq-" + tmp.getFileName() + " (topic.dead-letters)")
                .contains("chat-answers (topic.chat-answers)")
                .doesNotContain("out-" + tmp.getFileName())
                .contains("kafka-topics.sh --bootstrap-server " + kafka.bootstrapServers() + " --create --topic " + in)
                .contains("--startup.create-topics true");
    }

    @Test
    void missingTopicsAreCreatedWhenAskedTheSchemaTopicCompacted() throws Exception {
        String schemaTopic = "schemas-" + tmp.getFileName();
        JobConfig config = config("--startup.create-topics", "true", "--startup.topic-partitions", "3",
                "--schemas.writer-topic", schemaTopic);

        StartupChecks.run(config, new Configuration(), true);

        try (Admin admin = kafka.admin()) {
            Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertThat(names).contains("in-" + tmp.getFileName(), "out-" + tmp.getFileName(), "dlq-" + tmp.getFileName(),
                    schemaTopic);
            assertThat(admin.describeTopics(List.of("in-" + tmp.getFileName())).allTopicNames().get()
                    .get("in-" + tmp.getFileName()).partitions()).hasSize(3);
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, schemaTopic);
            Config c = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
            assertThat(c.get("cleanup.policy").value()).isEqualTo("compact");
        }
        // a second start finds everything in place
        StartupChecks.run(config, new Configuration(), true);
    }

    @Test
    void anUnreachableBrokerFailsWithinTheTimeoutAndSaysWhere() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        JobConfig config = JobConfig.fromArgs("--kafka.bootstrap-servers", "127.0.0.1:" + closedPort,
                "--model.caption.checkpoint", "/m/blip2", "--startup.kafka-timeout", "3 s");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> StartupChecks.run(config, new Configuration(), true))
                .isInstanceOf(StartupCheckException.class)
                .hasMessageContaining("cannot reach the Kafka brokers at 127.0.0.1:" + closedPort)
                .hasMessageContaining("kafka.bootstrap-servers")
                .hasMessageContaining("startup.kafka-timeout");
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds until the check gave up").isLessThan(60);

        assertThatThrownBy(() -> StartupChecks.run(JobConfig.fromArgs("--kafka.bootstrap-servers", "no-such-host.invalid:9092",
                "--model.caption.checkpoint", "/m/blip2"), new Configuration(), true))
                .isInstanceOf(StartupCheckException.class)
                .hasMessageContaining("cannot reach the Kafka brokers at no-such-host.invalid:9092");
    }

    @Test
    void aBadWriterSchemaDirectoryOrCheckpointDirectoryStopsTheStartBeforeKafkaIsAsked() throws Exception {
        Files.writeString(tmp.resolve("broken.avsc"), "{ not json");
        assertThatThrownBy(() -> StartupChecks.run(config("--schemas.writer-dir", tmp.toString()), new Configuration(), true))
                .isInstanceOf(StartupCheckException.class)
                .hasMessageContaining("schemas.writer-dir").hasMessageContaining("broken.avsc");
        assertThatThrownBy(() -> StartupChecks.run(config("--schemas.writer-dir", tmp.resolve("nope").toString()),
                new Configuration(), true))
                .isInstanceOf(StartupCheckException.class).hasMessageContaining("does not exist");

        Configuration flink = new Configuration();
        flink.setString("execution.state-recovery.path", tmp.resolve("chk-7").toString());
        assertThatThrownBy(() -> StartupChecks.run(config(), flink, true))
                .isInstanceOf(StartupCheckException.class).hasMessageContaining("execution.state-recovery.path");
    }
}
