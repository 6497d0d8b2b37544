package io.vlmtagger.models.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmtagger.models.preprocess.PreprocessorConfig;
import io.vlmtagger.models.text.TextTokenizer;
import io.vlmtagger.models.weights.CheckpointDirectory.ImageProcessor;
import io.vlmtagger.models.weights.CheckpointDirectory.WordLevelTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link CheckpointDirectory} writes, read back by the loaders that serve checkpoints. */
class CheckpointDirectoryTest {
    private static final List<String> TOKENS = List.of("<pad>", "<s>", "</s>", "<unk>", "<image>", "a", "red",
            "circle", ",", "?", "what");

    private static WordLevelTokenizer tokenizer(String bos, boolean lowercase, boolean glue) {
        return new WordLevelTokenizer(TOKENS, List.of("<pad>", "<s>", "</s>", "<unk>", "<image>"), bos, "</s>",
                "<pad>", "<unk>", lowercase, glue);
    }

    @Test
    void textFilesLoadAsTheCheckpointsTokenizer(@TempDir Path dir) throws Exception {
        CheckpointDirectory d = CheckpointDirectory.at(dir.resolve("new"));
        WordLevelTokenizer t = tokenizer("<s>", true, true);
        d.writeTokenizer(t).writeTokenizerConfig(t, 64).writeGenerationConfig(1, 2, 0);
        try (TextTokenizer tok = TextTokenizer.fromCheckpoint(d.path())) {
            assertThat(tok.specialIds().bos()).hasValue(1);
            assertThat(tok.specialIds().eos()).containsExactly(2);
            assertThat(tok.specialIds().pad()).hasValue(0);
            assertThat(tok.encode("A Red circle, what?")).containsExactly(5, 6, 7, 8, 10, 9);
            assertThat(tok.encodeWithSpecialTokens("a circle")).containsExactly(1, 5, 7);
            assertThat(tok.encode("a <image> blue")).containsExactly(5, 4, 3);
            assertThat(tok.decode(new long[] {1, 5, 6, 7, 8, 10, 9, 2})).isEqualTo("a red circle, what?");
        }
        assertThat(new ObjectMapper().readTree(d.path().resolve("tokenizer_config.json").toFile()).path("model_max_length")
                .asInt()).isEqualTo(64);
    }

    @Test
    void withoutTemplateOrNormalizerTheTextIsTakenAsItIs(@TempDir Path dir) throws Exception {
        CheckpointDirectory d = CheckpointDirectory.at(dir);
        d.writeTokenizer(tokenizer(null, false, false)).writeGenerationConfig(1, 2, 0);
        try (TextTokenizer tok = TextTokenizer.fromCheckpoint(dir)) {
            assertThat(tok.encodeWithSpecialTokens("a circle")).containsExactly(5, 7);
            assertThat(tok.encode("Red red")).containsExactly(3, 6);
        }
    }

    @Test
    void imageProcessorsAreReadAsWritten(@TempDir Path dir) throws Exception {
        PreprocessorConfig blip = PreprocessorConfig.fromCheckpoint(
                CheckpointDirectory.at(dir.resolve("blip")).writePreprocessor(ImageProcessor.BLIP, 96).path());
        assertThat(blip.processorType()).isEqualTo(PreprocessorConfig.BLIP);
        assertThat(blip.resizeHeight()).isEqualTo(96);
        assertThat(blip.resizeWidth()).isEqualTo(96);
        assertThat(blip.doCenterCrop()).isFalse();
        assertThat(blip.imageMean()).containsExactly(PreprocessorConfig.OPENAI_CLIP_MEAN);
        assertThat(blip.imageStd()).containsExactly(PreprocessorConfig.OPENAI_CLIP_STD);
        PreprocessorConfig clip = PreprocessorConfig.fromCheckpoint(
                CheckpointDirectory.at(dir.resolve("clip")).writePreprocessor(ImageProcessor.CLIP, 64).path());
        assertThat(clip.processorType()).isEqualTo(PreprocessorConfig.CLIP);
        assertThat(clip.shortestEdge()).isEqualTo(64);
        assertThat(clip.doCenterCrop()).isTrue();
        assertThat(clip.cropHeight()).isEqualTo(64);
        var idefics = ImageProcessor.IDEFICS.json(32);
        assertThat(idefics.path("image_processor_type").asText()).isEqualTo("IdeficsImageProcessor");
        assertThat(idefics.path("image_size").asInt()).isEqualTo(32);
    }

    @Test
    void weightsAreReplacedWholeInTheRequestedDtype(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("b.weight", m.create(new float[] {1.5f, -2f, 0.25f, 4f}, new Shape(2, 2)));
            tensors.put("a.ids", m.create(new long[] {7, 8}));
            CheckpointDirectory d = CheckpointDirectory.at(dir).writeConfig(CheckpointDirectory.newObject().put("model_type", "x"));
            d.writeWeights(tensors, SafetensorsDtype.F32);
            d.writeWeights(Map.of("b.weight", tensors.get("b.weight")), SafetensorsDtype.F16);
            assertThat(dir.resolve("model.safetensors.tmp")).doesNotExist();
            assertThat(SafetensorsFile.open(dir.resolve("model.safetensors")).entries()).containsOnlyKeys("b.weight");
            assertThat(SafetensorsFile.open(dir.resolve("model.safetensors")).entries().get("b.weight").dtype())
                    .isEqualTo(SafetensorsDtype.F16);
            try (WeightStore store = WeightStore.builder().setCheckpoint(dir).optDataType(DataType.FLOAT32).build()) {
                assertThat(store.get("b.weight", 2, 2).toFloatArray()).containsExactly(1.5f, -2f, 0.25f, 4f);
            }
            assertThat(Files.readString(dir.resolve("config.json"))).contains("\"model_type\" : \"x\"");
        }
    }

    @Test
    void unknownTokenMustBeInTheVocabulary() {
        assertThatThrownBy(() -> new WordLevelTokenizer(List.of("a"), List.of(), null, null, null, "<unk>", false, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabulary");
    }
}
