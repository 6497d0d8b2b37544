package io.vlmtagger.jobs.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/**
 * Where producers register the ImageEvent writer schemas they write with, so that the job reads
 * producers of other schema versions without a redeploy (see schemas/README.md, "Writer
 * schemas"). The job always reads its own version and every released one shipped in the jar.
 */
public final class SchemaOptions {

    public static final ConfigOption<String> WRITER_DIR =
            ConfigOptions.key("schemas.writer-dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Directory of .avsc files: ImageEvent writer schemas of producers (other records are ignored). Read at start (a file that is not a schema stops the job) and again when a record carries an unknown fingerprint; must be readable by every TaskManager.");

    public static final ConfigOption<String> WRITER_TOPIC =
            ConfigOptions.key("schemas.writer-topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka topic whose record values are writer schemas (.avsc JSON text, UTF-8), on kafka.bootstrap-servers; make it compacted. Read at start and again when a record carries an unknown fingerprint.");

    public static final ConfigOption<Duration> RETRY_INTERVAL =
            ConfigOptions.key("schemas.retry-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("A fingerprint that was not found is looked up again in schemas.writer-dir / schemas.writer-topic at most this often (a new fingerprint at once); its records are dead-lettered as unknown_schema meanwhile.");

    private SchemaOptions() {}
}
