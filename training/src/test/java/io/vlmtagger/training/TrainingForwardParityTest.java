package io.vlmtagger.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.config.Blip2Config;
import io.vlmtagger.models.config.LlavaConfig;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The training forwards must compute what transformers computes, or the checkpoints they write
 * would mean something else to the serving code: run them on the parity fixtures' weights and
 * compare with the reference tensors transformers 4.40 produced.
 */
class TrainingForwardParityTest {

    @Test
    void blip2ForwardMatchesTransformers() throws IOException {
        Path dir = FixtureCheckpoints.fixture(FixtureCheckpoints.BLIP2_OPT_TINY);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> io = read(m, dir.resolve("io.safetensors"));
            try (ParameterSet params = ParameterSet.of(m, read(m, dir.resolve("model.safetensors")))) {
                Blip2TrainModel model = new Blip2TrainModel(Blip2Config.load(dir), params);
                assertThat(params.all()).hasSize(read(m, dir.resolve("model.safetensors")).size());
                NDArray vision = model.vision(io.get("pixel_values"));
                assertClose(vision, io.get("vision_last_hidden_state"), 1e-4f);
                NDArray soft = model.softPrompt(io.get("pixel_values"));
                assertClose(soft, io.get("language_projection_output"), 1e-4f);
                NDArray logits = model.logits(io.get("lm_inputs_embeds"), io.get("lm_attention_mask"));
                NDArray mask = io.get("lm_attention_mask").expandDims(2).toType(logits.getDataType(), false);
                // padded rows' logits are not meaningful: compare real positions only
                assertClose(logits.mul(mask), io.get("logits").mul(mask), 1e-3f);
            }
        }
    }

    @Test
    void llavaForwardMatchesTransformers() throws IOException {
        Path dir = FixtureCheckpoints.fixture(FixtureCheckpoints.LLAVA_LLAMA_TINY);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> io = read(m, dir.resolve("io.safetensors"));
            Map<String, NDArray> weights = read(m, dir.resolve("model.safetensors"));
            try (ParameterSet params = ParameterSet.of(m, weights)) {
                LlavaTrainModel model = new LlavaTrainModel(LlavaConfig.load(dir), params);
                assertThat(params.all()).hasSize(weights.size());
                NDArray features = model.imageFeatures(io.get("pixel_values"));
                assertClose(features, io.get("projector_output"), 1e-4f);
                NDArray logits = model.logits(io.get("lm_inputs_embeds"), io.get("lm_attention_mask"),
                        io.get("lm_position_ids"));
                NDArray mask = io.get("lm_attention_mask").expandDims(2).toType(logits.getDataType(), false);
                assertClose(logits.mul(mask), io.get("logits").mul(mask), 1e-3f);
            }
        }
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
