package io.vlmtagger.jobs.local;

import io.vlmtagger.checkpoints.ShippedCheckpoint;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;
import io.vlmtagger.jobs.config.LocalRunOptions;

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

    /** The resolved checkpoints; {@code fewShotDir} is null when the few-shot demo is off. */
    public record Resolved(Path captionDir, Kind captionKind, Path chatDir, Kind chatKind, Path fewShotDir,
            Kind fewShotKind) {}

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
        Path fewShot = null;
        Kind fewShotKind = null;
        if (config.getOptional(JobOptions.MODEL_FEW_SHOT_CHECKPOINT).isPresent()) {
            fewShot = Path.of(config.get(JobOptions.MODEL_FEW_SHOT_CHECKPOINT)).toAbsolutePath();
            fewShotKind = Kind.GIVEN;
        } else if (config.get(LocalRunOptions.FEW_SHOT)) {
            fewShot = ShippedCheckpoint.IDEFICS_SHAPES.copyTo(dir).toAbsolutePath();
            fewShotKind = Kind.TRAINED_TINY;
        }
        return new Resolved(caption.toAbsolutePath(), captionKind, chat.toAbsolutePath(), chatKind, fewShot, fewShotKind);
    }

    private LocalCheckpoints() {}
}
