package io.vlmtagger.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.vlmtagger.checkpoints.ShippedCheckpoint;
import io.vlmtagger.models.blip2.Blip2Model;
import io.vlmtagger.models.config.Blip2Config;
import io.vlmtagger.models.config.LlavaConfig;
import io.vlmtagger.models.llava.LlavaModel;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.models.text.LlavaChatTemplate;
import io.vlmtagger.models.text.TextTokenizer;
import io.vlmtagger.models.weights.SafetensorsFile;
import io.vlmtagger.training.dataset.ShapesDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainers at the shipped size: what they train is exactly the layout of the shipped
 * checkpoints (same keys, same shapes), and one step's loss, computed through the serving model
 * built over the parameters, sends a gradient to every one of them and to the probe heads: none is
 * frozen by what the serving layers derive from their weights at load (fused q/k/v and gate/up,
 * reshaped patch convolution, the tied OPT head). The only exception is the CLIP tower's
 * {@code post_layernorm}, which transformers stores and LLaVA never reads.
 */
class TrainingGradientsTest {
    private static final TinyConfigs.Sizes SIZES = TinyConfigs.Sizes.DEFAULT;

    @Test
    void captionerStepTrainsEveryParameterOfTheShippedLayout(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("blip2");
        TrainOptions options = TrainOptions.captionerRecipe(dir);
        CheckpointWriter.writeTinyFiles(dir, TinyConfigs.blip2(SIZES, options.queries(), 64), false,
                SIZES.imageSize(), 64);
        Blip2Config config = Blip2Config.load(dir);
        ShapesDataset data = ShapesDataset.builder().setSeed(1).optImageSize(SIZES.imageSize()).build();
        try (NDManager root = NDManager.newBaseManager();
                TextTokenizer tokenizer = TextTokenizer.fromCheckpoint(dir);
                ParameterSet params = ParameterSet.initializing(root, 7)) {
            InitialWeights.blip2(params, config);
            CellProbe probe = CellProbe.of(params, options);
            assertThat(shapes(params)).isEqualTo(shippedShapes(ShippedCheckpoint.BLIP2_SHAPES, tmp));
            SceneBatch batch = SceneBatch.of(data, ImagePreprocessor.fromCheckpoint(dir), 0, 4);
            oneStep(params, root, step -> Blip2Model.of(config, params.stepStore(dir, step)),
                    (model, step) -> CaptionTrainer.loss(model, probe, tokenizer, batch, step));
            assertThat(params.all().keySet()).anyMatch(CellProbe::isProbeParameter);
            assertThat(TrainingForwardParityTest.untrained(params)).isEmpty();
        }
    }

    @Test
    void chatStepTrainsEveryParameterOfTheShippedLayoutButTheUnusedNorm(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("llava");
        TrainOptions options = TrainOptions.chatRecipe(dir);
        CheckpointWriter.writeTinyFiles(dir, TinyConfigs.llava(SIZES, ChatTrainer.MAX_POSITIONS), true,
                SIZES.imageSize(), ChatTrainer.MAX_POSITIONS);
        LlavaConfig config = LlavaConfig.load(dir);
        ShapesDataset data = ShapesDataset.builder().setSeed(1001).optImageSize(SIZES.imageSize()).build();
        try (NDManager root = NDManager.newBaseManager();
                TextTokenizer tokenizer = TextTokenizer.fromCheckpoint(dir);
                ParameterSet params = ParameterSet.initializing(root, 11)) {
            LlavaChatTemplate template = LlavaChatTemplate.builder().setTokenizer(tokenizer).build();
            InitialWeights.llava(params, config);
            CellProbe probe = CellProbe.of(params, options);
            assertThat(shapes(params)).isEqualTo(shippedShapes(ShippedCheckpoint.LLAVA_SHAPES, tmp));
            // six scenes: conversations of different lengths, so rows are right-padded
            SceneBatch batch = SceneBatch.of(data, ImagePreprocessor.fromCheckpoint(dir), 0, 6);
            oneStep(params, root, step -> LlavaModel.of(config, params.stepStore(dir, step)),
                    (model, step) -> ChatTrainer.loss(model, probe, tokenizer, template, batch, data, step));
            assertThat(TrainingForwardParityTest.untrained(params)).isEqualTo(Set.of(
                    "vision_tower.vision_model.post_layernorm.bias", "vision_tower.vision_model.post_layernorm.weight"));
        }
    }

    /** Forward and backward of one loss, as a training step runs it (the gradients stay on {@code params}). */
    private static <M extends AutoCloseable> void oneStep(ParameterSet params, NDManager root,
            Function<NDManager, M> model, BiFunction<M, NDManager, NDArray> loss) throws Exception {
        params.requireGradients();
        try (NDManager step = root.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector();
                M m = model.apply(step)) {
            gc.backward(loss.apply(m, step));
        }
    }

    /** The checkpoint parameters (no probe heads) and their shapes. */
    private static Map<String, List<Long>> shapes(ParameterSet params) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        params.all().forEach((k, v) -> {
            if (!CellProbe.isProbeParameter(k)) {
                out.put(k, box(v.getShape().getShape()));
            }
        });
        return out;
    }

    private static Map<String, List<Long>> shippedShapes(ShippedCheckpoint checkpoint, Path tmp) throws IOException {
        Path dir = checkpoint.copyTo(tmp.resolve("shipped"));
        Map<String, List<Long>> out = new LinkedHashMap<>();
        SafetensorsFile.open(dir.resolve("model.safetensors")).entries().forEach((k, e) -> out.put(k, box(e.shape())));
        return out;
    }

    private static List<Long> box(long[] shape) {
        return java.util.Arrays.stream(shape).boxed().toList();
    }
}
