package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.weights.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Placeholder checkpoints: the tiny BLIP-2 and LLaVA with untrained, seeded random weights, in the
 * tiny checkpoints' configuration, vocabulary and processor files. They load and run like any
 * checkpoint (useful to exercise the pipeline or a new device) but their output is random words.
 *
 * <pre>
 * mvn -B -q -pl training exec:java -Dexec.mainClass=io.vlmtagger.training.Placeholders -Dexec.args="/tmp/placeholders"
 * </pre>
 */
public final class Placeholders {
    /**
     * Every weight matrix is scaled by this: with the training initialisation the untrained model's
     * logits are nearly flat and greedy decoding stops at once with an empty output; scaled up it
     * produces varied words.
     */
    static final float WEIGHT_SCALE = 15f;

    /** Writes {@code placeholder-blip2} and {@code placeholder-llava} into the directory given. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: Placeholders <output directory>");
        }
        TrainingThreads.configure();
        Path out = Path.of(args[0]);
        writeBlip2(out.resolve("placeholder-blip2"));
        writeLlava(out.resolve("placeholder-llava"));
        System.out.println("wrote " + out.resolve("placeholder-blip2") + " and " + out.resolve("placeholder-llava"));
    }

    /** A tiny BLIP-2 with untrained weights: the captioner's initialisation (zero steps), matrices scaled up. */
    public static void writeBlip2(Path dir) throws IOException {
        new CaptionTrainer(TrainOptions.defaults(dir).withSteps(0)).train(null);
        scaleMatrices(dir);
    }

    /** A tiny LLaVA with untrained weights: the chat model's initialisation (zero steps), matrices scaled up. */
    public static void writeLlava(Path dir) throws IOException {
        new ChatTrainer(TrainOptions.defaults(dir).withSteps(0)).train(null);
        scaleMatrices(dir);
    }

    /** Rewrites the checkpoint's weights with every weight matrix (2 or more dimensions) times {@link #WEIGHT_SCALE}. */
    private static void scaleMatrices(Path dir) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> scaled = new LinkedHashMap<>();
            SafetensorsFile.open(dir.resolve("model.safetensors")).readAll(manager).forEach((name, t) -> {
                boolean matrix = t.getShape().dimension() >= 2 && name.endsWith("weight");
                scaled.put(name, matrix ? t.mul(WEIGHT_SCALE) : t);
            });
            CheckpointWriter.writeWeights(dir, scaled);
        }
    }

    private Placeholders() {}
}
