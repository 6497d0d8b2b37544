package io.vlmtagger.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.vlmtagger.models.blip2.Blip2Model;
import io.vlmtagger.models.clip.ClipVisionTower;
import io.vlmtagger.models.config.Blip2Config;
import io.vlmtagger.models.config.LlavaConfig;
import io.vlmtagger.models.llava.LlavaModel;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The trainers' forwards must compute what transformers computes, or the checkpoints they write
 * would mean something else to the serving code: run them exactly as training does (the serving
 * model over a {@link ParameterSet#stepStore}, inside a gradient collector, so the kernels run
 * with autograd) on the parity fixtures' weights and compare with the reference tensors
 * transformers 4.40 produced. Then a loss's gradient must reach every parameter the architecture
 * reads: none may be silently frozen by the fusing (q/k/v, gate/up) the models do at load.
 */
class TrainingForwardParityTest {

    @Test
    void blip2TrainingForwardMatchesTransformersAndTrainsEveryParameter() throws IOException {
        Path dir = FixtureCheckpoints.fixture(FixtureCheckpoints.BLIP2_OPT_TINY);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> io = read(m, dir.resolve("io.safetensors"));
            Map<String, NDArray> weights = read(m, dir.resolve("model.safetensors"));
            try (ParameterSet params = ParameterSet.of(m, weights)) {
                params.requireGradients();
                try (NDManager step = m.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector();
                        Blip2Model model = Blip2Model.of(Blip2Config.load(dir), params.stepStore(dir, step))) {
                    CaptionTrainer.Forward f = CaptionTrainer.forward(model, io.get("pixel_values"), io.get("input_ids"),
                            io.get("attention_mask"));
                    assertClose(f.vision(), io.get("vision_last_hidden_state"), 1e-4f);
                    NDArray mask = realPositions(io.get("lm_attention_mask"));
                    assertClose(f.logits().mul(mask), io.get("logits").mul(mask), 1e-3f);
                    gc.backward(scalar(f.logits().mul(mask)));
                }
                // the fixture holds exactly what BLIP-2 (OPT) reads: every tensor is trained
                assertThat(untrained(params)).isEmpty();
            }
        }
    }

    @Test
    void llavaTrainingForwardMatchesTransformersAndTrainsEveryParameterItReads() throws IOException {
        Path dir = FixtureCheckpoints.fixture(FixtureCheckpoints.LLAVA_LLAMA_TINY);
        LlavaConfig config = LlavaConfig.load(dir);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> io = read(m, dir.resolve("io.safetensors"));
            Map<String, NDArray> weights = read(m, dir.resolve("model.safetensors"));
            try (ParameterSet params = ParameterSet.of(m, weights)) {
                params.requireGradients();
                try (NDManager step = m.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector();
                        LlavaModel model = LlavaModel.of(config, params.stepStore(dir, step))) {
                    ChatTrainer.Forward f = ChatTrainer.forward(model, io.get("pixel_values"), io.get("input_ids"),
                            io.get("attention_mask"));
                    assertClose(f.selectedFeatures(), io.get("vision_selected_features"), 1e-4f);
                    assertClose(f.merged().inputsEmbeds(), io.get("lm_inputs_embeds"), 1e-4f);
                    assertThat(f.merged().attentionMask().toLongArray()).containsExactly(io.get("lm_attention_mask").toLongArray());
                    NDArray mask = realPositions(io.get("lm_attention_mask"));
                    assertClose(f.logits().mul(mask), io.get("logits").mul(mask), 1e-3f);
                    gc.backward(scalar(f.logits().mul(mask)));
                }
                // LLaVA never reads the tower's post_layernorm nor the layers after vision_feature_layer
                int used = ClipVisionTower.absoluteIndex(config.visionFeatureLayer(), config.vision().numHiddenLayers());
                Set<String> unread = new TreeSet<>();
                for (String key : weights.keySet()) {
                    String v = "vision_tower.vision_model.";
                    boolean laterLayer = false;
                    for (int i = used; i < config.vision().numHiddenLayers(); i++) {
                        laterLayer |= key.startsWith(v + "encoder.layers." + i + ".");
                    }
                    if (laterLayer || key.startsWith(v + "post_layernorm.")) {
                        unread.add(key);
                    }
                }
                assertThat(unread).isNotEmpty();
                assertThat(untrained(params)).isEqualTo(unread);
            }
        }
    }

    /** {@code mask [B, S]} as a float {@code [B, S, 1]}: padded rows' logits are not meaningful, compare real positions only. */
    private static NDArray realPositions(NDArray mask) {
        return mask.expandDims(2).toType(DataType.FLOAT32, false);
    }

    /** A scalar that depends on every logit with its own weight (fixed random), to back-propagate from. */
    private static NDArray scalar(NDArray logits) {
        NDManager m = logits.getManager();
        m.getEngine().setRandomSeed(5);
        return logits.mul(m.randomNormal(logits.getShape())).sum();
    }

    /** The parameters whose gradient is absent or all zero. */
    static Set<String> untrained(ParameterSet params) {
        Set<String> out = new TreeSet<>();
        params.all().forEach((key, value) -> {
            try (NDArray g = value.getGradient()) {
                if (g.abs().sum().getFloat() == 0f) {
                    out.add(key);
                }
            }
        });
        return out;
    }

    static Map<String, NDArray> read(NDManager m, Path file) throws IOException {
        NDList list = NDList.decode(m, Files.readAllBytes(file));
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (NDArray a : list) {
            out.put(a.getName(), a);
        }
        return out;
    }

    static void assertClose(NDArray actual, NDArray expected, float tolerance) {
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        float diff = actual.sub(expected).abs().max().getFloat();
        assertThat(diff).as("max abs difference").isLessThan(tolerance);
    }
}
