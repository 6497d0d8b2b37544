package io.vlmtagger.jobs.local;

import io.vlmtagger.checkpoints.ShippedCheckpoint;
import io.vlmtagger.jobs.BuiltinCheckpoints;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;
import io.vlmtagger.jobs.config.LocalRunOptions;

import java.nio.file.Path;

/**
 * Decides which checkpoints the local run uses: the directories given on the command line, else
 * the project's trained tiny checkpoints from the {@code vlm-tagger-checkpoints} artifact (see
 * {@link ShippedCheckpoint}), extracted once into the cache directory as {@code builtin:}
 * references are ({@link BuiltinCheckpoints}).
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

    /** Resolves the checkpoints (a given {@code builtin:} reference is extracted too). */
    public static Resolved resolve(JobConfig config) {
        Path caption;
        Kind captionKind;
        if (config.getOptional(JobOptions.MODEL_CAPTION_CHECKPOINT).isPresent()) {
            caption = BuiltinCheckpoints.resolve(config.get(JobOptions.MODEL_CAPTION_CHECKPOINT));
            captionKind = Kind.GIVEN;
        } else {
            caption = shipped(ShippedCheckpoint.BLIP2_SHAPES);
            captionKind = Kind.TRAINED_TINY;
        }
        Path chat;
        Kind chatKind;
        if (config.getOptional(JobOptions.MODEL_CHAT_CHECKPOINT).isPresent()) {
            chat = BuiltinCheckpoints.resolve(config.get(JobOptions.MODEL_CHAT_CHECKPOINT));
            chatKind = Kind.GIVEN;
        } else {
            chat = shipped(ShippedCheckpoint.LLAVA_SHAPES);
            chatKind = Kind.TRAINED_TINY;
        }
        Path fewShot = null;
        Kind fewShotKind = null;
        if (config.getOptional(JobOptions.MODEL_FEW_SHOT_CHECKPOINT).isPresent()) {
            fewShot = BuiltinCheckpoints.resolve(config.get(JobOptions.MODEL_FEW_SHOT_CHECKPOINT)).toAbsolutePath();
            fewShotKind = Kind.GIVEN;
        } else if (config.get(LocalRunOptions.FEW_SHOT)) {
            fewShot = shipped(ShippedCheckpoint.IDEFICS_SHAPES);
            fewShotKind = Kind.TRAINED_TINY;
        }
        return new Resolved(caption.toAbsolutePath(), captionKind, chat.toAbsolutePath(), chatKind, fewShot, fewShotKind);
    }

    private static Path shipped(ShippedCheckpoint checkpoint) {
        return BuiltinCheckpoints.resolve(BuiltinCheckpoints.PREFIX + checkpoint.folderName()).toAbsolutePath();
    }

    private LocalCheckpoints() {}
}
