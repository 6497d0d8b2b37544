package io.vlmtagger.jobs.local;

import io.vlmtagger.checkpoints.ShippedCheckpoint;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;

import java.nio.file.Path;

/**
 * Decides which checkpoints the local run uses: the directories given on the command line, else
 * the project's trained tiny checkpoints from the {@code vlm-tagger-checkpoints} artifact (see
 * {@link ShippedCheckpoint}), copied into the run's work directory.
 */
public final class LocalCheckpoints {

    /** Where each model comes from, for the banner and the summary. */
    public enum Kind {
        GIVEN("given on the command line"),
        TRAINED_TINY("the project's trained tiny checkpoint");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** The resolved checkpoints. */
    public record Resolved(Path captionDir, Kind captionKind, Path chatDir, Kind chatKind) {}

    /** Resolves the checkpoints; {@code dir} receives copies of the shipped ones. */
    public static Resolved resolve(JobConfig config, Path dir) {
        Path caption;
        Kind captionKind;
        if (config.getOptional(JobOptions.MODEL_CAPTION_CHECKPOINT).isPresent()) {
            caption = Path.of(config.get(JobOptions.MODEL_CAPTION_CHECKPOINT));
            captionKind = Kind.GIVEN;
        } else {
            caption = ShippedCheckpoint.BLIP2_SHAPES.copyTo(dir);
            captionKind = Kind.TRAINED_TINY;
        }
        Path chat;
        Kind chatKind;
        if (config.getOptional(JobOptions.MODEL_CHAT_CHECKPOINT).isPresent()) {
            chat = Path.of(config.get(JobOptions.MODEL_CHAT_CHECKPOINT));
            chatKind = Kind.GIVEN;
        } else {
            chat = ShippedCheckpoint.LLAVA_SHAPES.copyTo(dir);
            chatKind = Kind.TRAINED_TINY;
        }
        return new Resolved(caption.toAbsolutePath(), captionKind, chat.toAbsolutePath(), chatKind);
    }

    private LocalCheckpoints() {}
}
