package io.vlmtagger.jobs;

import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.config.properties.PropertiesConfigurationFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job jar's default log4j2.properties, loaded as plain `java` would load it: our INFO, the
 * job's state changes and failures, every warning; not Flink's per-task steps, Kafka's INFO, nor
 * the Kafka sink's pendingCommittables name collision (other collisions still show).
 */
class DefaultLoggingTest {
    private LoggerContext context;
    private final List<String> lines = new ArrayList<>();

    @BeforeEach
    void load() throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("log4j2.properties")) {
            assertThat(in).as("log4j2.properties in the job jar").isNotNull();
            context = new LoggerContext("default-logging-test");
            Configuration config = new PropertiesConfigurationFactory()
                    .getConfiguration(context, new ConfigurationSource(in));
            context.start(config);
        }
        AbstractAppender capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getLevel() + " " + event.getLoggerName() + " " + event.getMessage().getFormattedMessage());
            }
        };
        capture.start();
        context.getConfiguration().getRootLogger().removeAppender("console");
        context.getConfiguration().getRootLogger().addAppender(capture, null, null);
        context.updateLoggers();
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void showsProgressStateChangesAndWarningsButNotTheNoise() {
        context.getLogger("io.vlmtagger.operators.results.ResultMergeFunction").info("results: 1 emitted");
        context.getLogger("io.vlmtagger.jobs.startup.StartupChecks").debug("debug detail");
        String graph = "org.apache.flink.runtime.executiongraph.ExecutionGraph";
        context.getLogger(graph).info("Job vlm-tagger (abc) switched from state CREATED to RUNNING.");
        context.getLogger(graph).info("Source: kafka-input (1/2) (x) switched from DEPLOYING to INITIALIZING.");
        context.getLogger(graph).info("Deploying caption (1/2) (attempt #0) with attempt id x to localhost with allocation id y");
        context.getLogger(graph).info("caption (2/2) (y) switched from RUNNING to FAILED on localhost:1234.",
                new IllegalStateException("model load failed"));
        context.getLogger("org.apache.kafka.clients.producer.ProducerConfig").info("ProducerConfig values: ...");
        context.getLogger("org.apache.kafka.clients.NetworkClient").warn("Connection to node -1 could not be established");

        assertThat(lines).containsExactly(
                "INFO io.vlmtagger.operators.results.ResultMergeFunction results: 1 emitted",
                "INFO " + graph + " Job vlm-tagger (abc) switched from state CREATED to RUNNING.",
                "INFO " + graph + " caption (2/2) (y) switched from RUNNING to FAILED on localhost:1234.",
                "WARN org.apache.kafka.clients.NetworkClient Connection to node -1 could not be established");
    }

    @Test
    void theKafkaSinksCollisionsAreDroppedOtherCollisionsAreNot() {
        String metrics = "org.apache.flink.metrics.MetricGroup"; // the logger of Flink's AbstractMetricGroup
        for (int i = 0; i < 100; i++) {
            context.getLogger(metrics).warn("Name collision: Group already contains a Metric with the name "
                    + "'pendingCommittables'. Metric will not be reported.[localhost, taskmanager, vlm-tagger, captions-sink: Committer, 0]");
        }
        context.getLogger(metrics).warn("Name collision: Group already contains a Metric with the name "
                + "'currentSendTime'. Metric will not be reported.[localhost, taskmanager, vlm-tagger, captions-sink: Writer, 0]");
        context.getLogger(metrics).warn("Name collision: Group already contains a Metric with the name "
                + "'inference_batch_size'. Metric will not be reported.[caption]");
        assertThat(lines).containsExactly("WARN " + metrics + " Name collision: Group already contains a Metric with the name "
                + "'inference_batch_size'. Metric will not be reported.[caption]");
    }
}
