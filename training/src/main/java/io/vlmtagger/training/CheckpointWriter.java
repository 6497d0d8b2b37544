package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmtagger.models.weights.CheckpointDirectory;
import io.vlmtagger.models.weights.CheckpointDirectory.ImageProcessor;
import io.vlmtagger.models.weights.CheckpointDirectory.WordLevelTokenizer;
import io.vlmtagger.models.weights.SafetensorsDtype;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the tiny checkpoints put into the models module's {@link CheckpointDirectory} (the one
 * checkpoint writer): the tiny vocabulary's tokenizer files ({@link TinyVocabulary}: WordLevel,
 * lowercasing, whitespace/punctuation split, a decoder that glues punctuation back), the BLIP or
 * CLIP image processor, {@code config.json} from {@link TinyConfigs}, and the weights in float32
 * without the training-only parameters.
 */
public final class CheckpointWriter {
    private CheckpointWriter() {}

    /** Every file of a tiny BLIP-2 ({@code clipProcessor} false) or LLaVA checkpoint but the weights. */
    public static void writeTinyFiles(Path dir, ObjectNode config, boolean clipProcessor, int imageSize,
            int maxLength) throws IOException {
        writeTextAndImageFiles(dir, clipProcessor, imageSize, maxLength);
        CheckpointDirectory.at(dir).writeConfig(config);
    }

    /** Everything but config.json and the weights. */
    public static void writeTextAndImageFiles(Path dir, boolean clipProcessor, int imageSize, int maxLength)
            throws IOException {
        List<String> tokens = new java.util.ArrayList<>(TinyVocabulary.tokens());
        for (int id = tokens.size(); id < TinyVocabulary.size(); id++) {
            tokens.add("<extra_" + id + ">");
        }
        CheckpointDirectory d = CheckpointDirectory.at(dir);
        writeTextFiles(d, tokens, TinyVocabulary.SPECIALS, maxLength);
        d.writePreprocessor(clipProcessor ? ImageProcessor.CLIP : ImageProcessor.BLIP, imageSize);
    }

    /**
     * {@code tokenizer.json} over {@code tokens} (by id; those in {@code specials} as special tokens)
     * with the tiny vocabulary's special tokens and normalisation, {@code tokenizer_config.json} and
     * {@code generation_config.json}.
     */
    public static void writeTextFiles(CheckpointDirectory d, List<String> tokens, Collection<String> specials,
            int maxLength) throws IOException {
        WordLevelTokenizer tokenizer = new WordLevelTokenizer(tokens, specials, TinyVocabulary.BOS,
                TinyVocabulary.EOS, TinyVocabulary.PAD, TinyVocabulary.UNK, true, true);
        d.writeTokenizer(tokenizer).writeTokenizerConfig(tokenizer, maxLength)
                .writeGenerationConfig(TinyVocabulary.BOS_ID, TinyVocabulary.EOS_ID, TinyVocabulary.PAD_ID);
    }

    /**
     * {@code model.safetensors} in float32, moved into place once written (a reader never sees a
     * half-written file). Training-only parameters ({@link CellProbe}'s and the few-shot probe's
     * heads) are left out.
     */
    public static void writeWeights(Path dir, Map<String, NDArray> tensors) throws IOException {
        Map<String, NDArray> model = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (!CellProbe.isProbeParameter(k)) {
                model.put(k, v);
            }
        });
        CheckpointDirectory.at(dir).writeWeights(model, SafetensorsDtype.F32);
    }

    /** {@link #writeWeights} of {@code params} during training (a snapshot a run can be evaluated on). */
    static void snapshot(Path dir, ParameterSet params) {
        try {
            writeWeights(dir, params.all());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a snapshot into " + dir, e);
        }
    }
}
