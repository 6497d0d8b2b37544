package io.vlmtagger.jobs.local;

import io.vlmtagger.jobs.BuiltinCheckpoints;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;
import io.vlmtagger.jobs.config.LocalRunOptions;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.train.CaptionTrainer;
import io.vlmtagger.models.train.CheckpointWriter;
import io.vlmtagger.models.train.TrainOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decides which checkpoints the local run uses, in this order: the directories given on the
 * command line; the project's trained tiny checkpoints when the classpath ships them
 * ({@link BuiltinCheckpoints}, extracted to its cache directory); otherwise a <em>placeholder</em> BLIP-2 with freshly initialised,
 * untrained weights, written by the models module's checkpoint writer. The placeholder makes the
 * whole pipeline runnable offline, but its captions are random words; the runner says so. The
 * same order holds for LLaVA, whose placeholder is written by {@link PlaceholderLlava} (only when
 * {@code local.ask-questions} is on).
 */
public final class LocalCheckpoints {

    /** The shipped trained tiny BLIP-2 (written by {@code TrainCaptioner}), when present. */
    public static final String TRAINED_BLIP2 = "tiny-blip2-shapes";
    /** The shipped trained tiny LLaVA, when present. */
    public static final String TRAINED_LLAVA = "tiny-llava-shapes";

    /** Where each model comes from, for the banner and the summary. */
    public enum Kind {
        GIVEN("given on the command line"),
        TRAINED_TINY("the project's trained tiny checkpoint"),
        PLACEHOLDER("PLACEHOLDER: untrained random weights built by this run; output text is random words"),
        NONE("none: chat is off (local.ask-questions is false)");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** The resolved checkpoints; {@code chatDir} is null when chat is off. */
    public record Resolved(Path captionDir, Kind captionKind, Path chatDir, Kind chatKind) {
        public boolean anyPlaceholder() {
            return captionKind == Kind.PLACEHOLDER || chatKind == Kind.PLACEHOLDER;
        }
    }

    /** Resolves (and if needed builds) the checkpoints; {@code dir} receives the placeholders. */
    public static Resolved resolve(JobConfig config, Path dir) throws IOException {
        Path caption;
        Kind captionKind;
        if (config.getOptional(JobOptions.MODEL_CAPTION_CHECKPOINT).isPresent()) {
            caption = Path.of(config.get(JobOptions.MODEL_CAPTION_CHECKPOINT));
            captionKind = Kind.GIVEN;
        } else if (BuiltinCheckpoints.exists(TRAINED_BLIP2)) {
            caption = BuiltinCheckpoints.resolve(BuiltinCheckpoints.PREFIX + TRAINED_BLIP2);
            captionKind = Kind.TRAINED_TINY;
        } else {
            caption = dir.resolve("placeholder-blip2");
            writePlaceholderBlip2(caption);
            captionKind = Kind.PLACEHOLDER;
        }
        Path chat = null;
        Kind chatKind = Kind.NONE;
        if (config.getOptional(JobOptions.MODEL_CHAT_CHECKPOINT).isPresent()) {
            chat = Path.of(config.get(JobOptions.MODEL_CHAT_CHECKPOINT));
            chatKind = Kind.GIVEN;
        } else if (BuiltinCheckpoints.exists(TRAINED_LLAVA)) {
            chat = BuiltinCheckpoints.resolve(BuiltinCheckpoints.PREFIX + TRAINED_LLAVA);
            chatKind = Kind.TRAINED_TINY;
        } else if (config.get(LocalRunOptions.ASK_QUESTIONS)) {
            chat = dir.resolve("placeholder-llava");
            PlaceholderLlava.write(chat);
            chatKind = Kind.PLACEHOLDER;
        }
        return new Resolved(caption.toAbsolutePath(), captionKind, chat == null ? null : chat.toAbsolutePath(), chatKind);
    }

    /**
     * A tiny BLIP-2 checkpoint with untrained weights: the training code's initialisation (zero
     * steps), then every weight matrix scaled up. With transformers' initialisation (std 0.02) the
     * untrained model's logits are nearly flat and greedy decoding stops at once with an empty
     * caption; at std ~0.3 it produces varied words, which shows the pipeline working.
     */
    static void writePlaceholderBlip2(Path dir) throws IOException {
        Files.createDirectories(dir);
        new CaptionTrainer(TrainOptions.defaults(dir).withSteps(0)).train(null);
        scaleWeightMatrices(dir, PLACEHOLDER_WEIGHT_SCALE);
    }

    static final float PLACEHOLDER_WEIGHT_SCALE = 15f;

    private static void scaleWeightMatrices(Path dir, float factor) throws IOException {
        Path file = dir.resolve("model.safetensors");
        try (NDManager manager = NDManager.newBaseManager();
                InputStream in = Files.newInputStream(file)) {
            NDList tensors = NDList.decode(manager, in);
            Map<String, NDArray> scaled = new LinkedHashMap<>();
            for (NDArray t : tensors) {
                boolean matrix = t.getShape().dimension() >= 2 && t.getName().endsWith("weight");
                scaled.put(t.getName(), matrix ? t.mul(factor) : t);
            }
            CheckpointWriter.writeWeights(dir, scaled);
        }
    }

    private LocalCheckpoints() {}
}
