package io.vlmtagger.models.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.blip2.Blip2Model;
import io.vlmtagger.models.generate.GenerationInput;
import io.vlmtagger.models.generate.Generator;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.testutil.FixtureTensors;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The kernels on a CUDA device in float16 give the tokens they give on the CPU in float32 (the
 * fixture's greedy steps have a top-1/top-2 logit gap of at least 0.005, room for half precision):
 * the GPU path (TorchScript on CUDA, the static cache, greedy picking on the device) checked where
 * it runs. Skipped, with the reason, where no GPU is visible.
 */
class GpuKernelsTest {

    @Test
    void blip2OnTheGpuMatchesTheCpu() {
        int gpus = Engine.getInstance().getGpuCount();
        assumeTrue(gpus > 0, "needs a CUDA GPU visible to DJL's PyTorch engine (sees " + gpus
                + "): run on a GPU host, see models/README.md 'Running on a GPU host'");
        long[][] cpu = captions(Device.cpu(), DataType.FLOAT32);
        long[][] gpu = captions(Device.gpu(), DataType.FLOAT16);
        assertThat(gpu).isDeepEqualTo(cpu);
    }

    private static long[][] captions(Device device, DataType type) {
        try (Blip2Model model = Blip2Model.builder()
                        .setCheckpoint(FixtureCheckpoints.fixture(FixtureCheckpoints.BLIP2_OPT_TINY))
                        .optDevice(device).optDataType(type).build();
                NDManager m = model.newCallManager()) {
            Map<String, NDArray> io = FixtureTensors.load(m, FixtureCheckpoints.BLIP2_OPT_TINY);
            NDArray pixels = io.get("pixel_values").toType(type, false);
            GenerationInput in = GenerationInput.ofEmbeds(
                    model.lmInputsEmbeds(model.softPrompt(pixels), io.get("input_ids")),
                    model.lmAttentionMask(io.get("attention_mask")));
            Generator g = Generator.builder().setDecoder(model.decoder()).setEosTokenIds(2).optPadTokenId(1).build();
            var out = g.generate(in, GenerationOptions.greedy(10));
            long[][] tokens = new long[out.rows()][];
            for (int r = 0; r < tokens.length; r++) {
                tokens[r] = out.tokens(r);
            }
            return tokens;
        }
    }
}
