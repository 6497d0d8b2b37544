package io.vlmtagger.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.training.dataset.ImageFormat;
import io.vlmtagger.training.dataset.ShapesDataset;
import io.vlmtagger.models.pipeline.Blip2Captioner;
import io.vlmtagger.models.pipeline.LlavaChatModel;
import io.vlmtagger.models.weights.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few training steps of each model at a reduced size: the loss falls, and what the trainer
 * writes is a checkpoint the serving classes load and run.
 */
class TrainingSmokeTest {
    /** Patch 16 (16 patches), hidden 32, one layer of each part: seconds per run. */
    private static final TinyConfigs.Sizes SMALL = new TinyConfigs.Sizes(64, 16, 32, 1, 2, 64);

    private static TrainOptions options(Path dir, int steps) {
        return new TrainOptions(dir, steps, 8, 3e-3f, 0f, 1, SMALL, 4, 1000, 0, null, 1f);
    }

    @Test
    void captionerLossFallsAndTheCheckpointServes(@TempDir Path dir) throws Exception {
        TrainingRun run = new CaptionTrainer(options(dir, 40)).train(null);
        assertThat(run.losses()).hasSize(40);
        double first = run.meanLoss(0, 5);
        double last = run.meanLoss(35, 40);
        assertThat(first).isGreaterThan(3.0); // ~ln(vocabulary) at initialisation
        assertThat(last).as("mean loss of the last 5 steps vs the first 5").isLessThan(first * 0.6);
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "generation_config.json", "preprocessor_config.json")) {
            assertThat(dir.resolve(file)).isRegularFile();
        }
        assertThat(dir.resolve("model.safetensors.tmp")).doesNotExist();
        assertThat(SafetensorsFile.open(dir.resolve("model.safetensors")).entries().keySet())
                .as("the training-only probe heads stay out of the checkpoint")
                .noneMatch(k -> k.startsWith(CellProbe.PREFIX))
                .contains("vision_model.embeddings.patch_embedding.weight", "query_tokens");
        ShapesDataset data = ShapesDataset.builder().setSeed(9).build();
        try (Blip2Captioner model = Blip2Captioner.builder().setCheckpoint(dir).build()) {
            byte[] png = ImageFormat.PNG.encode(data.render(data.scene(0)));
            GenerationResult result = model.caption(List.of(CaptionRequest.of(model.preprocess(png))),
                    GenerationOptions.greedy(20)).get(0);
            // after 40 steps the grammar's frame is there even if the attributes are not yet right
            assertThat(result.text()).startsWith("a ");
        }
    }

    @Test
    void probeLabelsFollowTheSceneGrid(@TempDir Path dir) throws Exception {
        // with patch 32 on 96-pixel scenes every patch is one grid cell: the probe must accept 9 tokens
        TinyConfigs.Sizes grid = new TinyConfigs.Sizes(96, 32, 32, 1, 2, 64);
        TrainOptions o = new TrainOptions(dir, 3, 4, 3e-3f, 0f, 1, grid, 4, 1000, 0, null, 1f);
        TrainingRun run = new CaptionTrainer(o).train(null);
        assertThat(run.losses()).hasSize(3).allMatch(l -> Float.isFinite(l));
        TrainOptions off = new TrainOptions(dir, 3, 4, 3e-3f, 0f, 1, grid, 4, 1000, 0, null, 0f);
        TrainingRun without = new CaptionTrainer(off).train(null);
        assertThat(without.losses().get(0)).as("the probe's loss adds to the language loss")
                .isLessThan(run.losses().get(0));
    }

    @Test
    void chatLossFallsAndTheCheckpointServes(@TempDir Path dir) throws Exception {
        TrainingRun run = new ChatTrainer(options(dir, 40)).train(null);
        double first = run.meanLoss(0, 5);
        double last = run.meanLoss(35, 40);
        assertThat(first).isGreaterThan(3.0);
        assertThat(last).as("mean loss of the last 5 steps vs the first 5").isLessThan(first * 0.6);
        ShapesDataset data = ShapesDataset.builder().setSeed(9).build();
        try (LlavaChatModel model = LlavaChatModel.builder().setCheckpoint(dir).build()) {
            byte[] png = ImageFormat.PNG.encode(data.render(data.scene(0)));
            GenerationResult result = model.answer(List.of(new ChatRequest(model.preprocess(png), List.of(),
                    "how many shapes are there?")), GenerationOptions.greedy(4)).get(0);
            assertThat(result.newTokens()).isPositive();
        }
        assertThat(Files.size(dir.resolve("model.safetensors"))).isGreaterThan(10_000);
        assertThat(SafetensorsFile.open(dir.resolve("model.safetensors")).entries().keySet())
                .noneMatch(k -> k.startsWith(CellProbe.PREFIX));
    }
}
