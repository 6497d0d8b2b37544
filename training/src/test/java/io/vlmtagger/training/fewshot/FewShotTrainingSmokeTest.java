package io.vlmtagger.training.fewshot;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.api.FewShotAnswer;
import io.vlmtagger.models.api.LabeledExample;
import io.vlmtagger.models.pipeline.IdeficsFewShotTagger;
import io.vlmtagger.checkpoints.ShippedCheckpoint;
import io.vlmtagger.training.CellProbe;
import io.vlmtagger.training.TrainingRun;
import io.vlmtagger.training.dataset.ImageFormat;
import io.vlmtagger.training.dataset.ShapesDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few steps of the few-shot trainer on small batches: the loss falls, training goes through the
 * serving IDEFICS classes (what it writes is a checkpoint the serving tagger loads and runs), the
 * token embeddings and the vision tower stay as initialised, the other weights move.
 */
class FewShotTrainingSmokeTest {

    @Test
    void lossFallsAndTheCheckpointServes(@TempDir Path dir) throws Exception {
        TinyIdefics.Sizes small = TinyIdefics.Sizes.DEFAULT;
        FewShotOptions options = new FewShotOptions(dir, 40, 3e-3f, 1, small, null, 1000, 0, 0, 8);
        TrainingRun run = new FewShotTrainer(options).train(null);
        assertThat(run.losses()).hasSize(40).allMatch(Float::isFinite);
        assertThat(run.meanLoss(32, 40)).as("mean loss of the last 8 steps vs the first 8")
                .isLessThan(run.meanLoss(0, 8) * 0.85);
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "generation_config.json", "preprocessor_config.json")) {
            assertThat(dir.resolve(file)).isRegularFile();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDList stored = NDList.decode(m, Files.readAllBytes(dir.resolve("model.safetensors")));
            assertThat(stored).noneMatch(a -> CellProbe.isProbeParameter(a.getName()));
            Map<String, NDArray> initial = TinyIdefics.initialWeights(m, small, options.seed() * 31 + 17,
                    ShippedCheckpoint.LLAVA_SHAPES.copyTo(dir.resolveSibling(dir.getFileName() + "-llava")));
            NDArray embeddings = stored.stream().filter(a -> a.getName().equals(TinyIdefics.EMBEDDINGS)).findFirst().orElseThrow();
            assertThat(embeddings.contentEquals(initial.get(TinyIdefics.EMBEDDINGS))).as("frozen embeddings").isTrue();
            String patch = "model.vision_model.embeddings.patch_embedding.weight";
            assertThat(stored.stream().filter(a -> a.getName().equals(patch)).findFirst().orElseThrow()
                    .contentEquals(initial.get(patch))).as("frozen vision tower").isTrue();
            NDArray gate = stored.stream().filter(a -> a.getName().equals("model.gated_cross_attn_layers.0.alpha_cross_attn"))
                    .findFirst().orElseThrow();
            assertThat(gate.contentEquals(initial.get("model.gated_cross_attn_layers.0.alpha_cross_attn")))
                    .as("trained weights moved").isFalse();
        }
        Episode e = FewShotEvaluation.heldOut(9).episode(0, 3);
        List<byte[]> images = FewShotEvaluation.render(e,
                ShapesDataset.builder().setSeed(0).optImageSize(TinyIdefics.IMAGE_SIZE).build(), ImageFormat.PNG);
        List<LabeledExample> examples = new ArrayList<>();
        for (int i = 0; i < e.k(); i++) {
            examples.add(new LabeledExample(images.get(i), List.of(e.labels().get(i)), null));
        }
        try (IdeficsFewShotTagger tagger = IdeficsFewShotTagger.load(dir, "cpu", "float32")) {
            FewShotAnswer answer = tagger.tag(examples, images.get(e.k()));
            assertThat(answer.text()).isNotNull();
        }
    }
}
