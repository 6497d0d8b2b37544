package io.vlmtagger.jobs.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/**
 * Options of the one-command local run ({@code io.vlmtagger.jobs.local.LocalRunner}) only; the job
 * ignores them. The runner also accepts the short flags {@code --images}, {@code --blip2},
 * {@code --llava} and {@code --device} (see {@link JobConfig#LOCAL_ALIASES}).
 */
public final class LocalRunOptions {

    public static final ConfigOption<String> IMAGES_DIR =
            ConfigOptions.key("local.images-dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Folder whose files the runner sends, all of them (not recursive, hidden dot-files left out):"
                            + " JPEG, PNG, GIF, BMP, WebP and TIFF are captioned, anything else comes back as a dead letter naming"
                            + " the file. Unset: the runner sends the sample shape scenes shipped with the tiny checkpoints.");

    public static final ConfigOption<Integer> IMAGE_COUNT =
            ConfigOptions.key("local.image-count")
                    .intType()
                    .defaultValue(12)
                    .withDescription("How many sample images the runner sends when local.images-dir is unset (at most the 24"
                            + " shipped); with a folder, the most files it sends (unset: all of them).");

    public static final ConfigOption<Integer> MALFORMED_EVENTS =
            ConfigOptions.key("local.malformed-events")
                    .intType()
                    .defaultValue(1)
                    .withDescription("How many deliberately undecodable records the runner adds, to show the dead-letter path.");

    public static final ConfigOption<Boolean> ASK_QUESTIONS =
            ConfigOptions.key("local.ask-questions")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Whether the runner also sends a two-turn conversation about the first image (the shipped tiny LLaVA unless --llava is given).");

    public static final ConfigOption<Boolean> FEW_SHOT =
            ConfigOptions.key("local.few-shot")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Whether the runner also shows few-shot tagging (IDEFICS): it publishes exemplars whose labels the shipped tiny IDEFICS never saw in training, tags query images with them, replaces the exemplars mid-run and tags the queries again (the shipped checkpoint unless model.few-shot.checkpoint is given).");

    public static final ConfigOption<String> WORK_DIR =
            ConfigOptions.key("local.work-dir")
                    .stringType()
                    .defaultValue("work-dir/local-run")
                    .withDescription("Where the runner writes the sample images, copies of the shipped checkpoints, the search index,"
                            + " the Kafka log and Flink's checkpoints (flink-checkpoints/, unless checkpoint.dir or"
                            + " execution.checkpointing.dir say otherwise); those folders are emptied at start.");

    public static final ConfigOption<Duration> TIMEOUT =
            ConfigOptions.key("local.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription("The runner gives up (and says what is missing) when not every image has a result or dead letter by then.");

    public static final ConfigOption<String> SAMPLE_QUERY =
            ConfigOptions.key("local.sample-query")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Query the summary runs against the search index; unset: the most frequent tag.");

    private LocalRunOptions() {}
}
