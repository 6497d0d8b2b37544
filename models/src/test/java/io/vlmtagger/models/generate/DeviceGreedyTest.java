package io.vlmtagger.models.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.blip2.Blip2Model;
import io.vlmtagger.models.llava.LlavaModel;
import io.vlmtagger.models.llava.MergedInputs;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.testutil.FixtureTensors;
import io.vlmtagger.models.testutil.StepHookDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Greedy decoding on the device picks what the host loop picks (minimum length and repetition
 * penalty applied on the device the way {@link LogitsProcessing} applies them), and its steps
 * leave no arrays behind.
 */
class DeviceGreedyTest {
    private static final GenerationOptions WITH_PROCESSORS = GenerationOptions.builder().optMaxNewTokens(10)
            .optMinNewTokens(6).optRepetitionPenalty(1.3f).build();

    private static void assertSameTokens(CausalDecoder decoder, GenerationInput input, long eos, long pad) {
        assertThat(decoder).isInstanceOf(DeviceGreedy.class);
        // the same decoder behind a pass-through without the device loop: the host loop runs
        CausalDecoder hostOnly = new StepHookDecoder(decoder, n -> { });
        assertThat(hostOnly).isNotInstanceOf(DeviceGreedy.class);
        Generator device = Generator.builder().setDecoder(decoder).setEosTokenIds(eos).optPadTokenId(pad).build();
        Generator host = Generator.builder().setDecoder(hostOnly).setEosTokenIds(eos).optPadTokenId(pad).build();
        for (GenerationOptions options : List.of(GenerationOptions.greedy(10), WITH_PROCESSORS)) {
            GeneratedSequences a = device.generate(input, options);
            GeneratedSequences b = host.generate(input, options);
            for (int r = 0; r < a.rows(); r++) {
                assertThat(a.tokens(r)).as("row %d, %s", r, options).containsExactly(b.tokens(r));
            }
        }
    }

    @Test
    void optOnTheDevicePicksWhatTheHostPicks() {
        try (Blip2Model model = Blip2Model.load(FixtureCheckpoints.fixture(FixtureCheckpoints.BLIP2_OPT_TINY));
                NDManager m = model.newCallManager()) {
            Map<String, NDArray> io = FixtureTensors.load(m, FixtureCheckpoints.BLIP2_OPT_TINY);
            NDArray soft = model.softPrompt(io.get("pixel_values"));
            GenerationInput input = GenerationInput.builder()
                    .setInputsEmbeds(model.lmInputsEmbeds(soft, io.get("input_ids")))
                    .setAttentionMask(model.lmAttentionMask(io.get("attention_mask")))
                    .optContextTokenIds(FixtureTensors.rows(io.get("input_ids"), io.get("attention_mask")))
                    .build();
            assertSameTokens(model.decoder(), input, 2, 1);
        }
    }

    @Test
    void llamaOnTheDevicePicksWhatTheHostPicks() {
        try (LlavaModel model = LlavaModel.load(FixtureCheckpoints.fixture(FixtureCheckpoints.LLAVA_LLAMA_TINY));
                NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> io = FixtureTensors.load(m, FixtureCheckpoints.LLAVA_LLAMA_TINY);
            NDArray ids = io.get("input_ids");
            MergedInputs merged = model.mergeInputs(ids, io.get("attention_mask"), model.imageFeatures(io.get("pixel_values")));
            GenerationInput input = GenerationInput.builder()
                    .setInputsEmbeds(merged.inputsEmbeds())
                    .setAttentionMask(merged.attentionMask())
                    .optContextTokenIds(FixtureTensors.rows(ids, io.get("attention_mask")))
                    .build();
            assertSameTokens(model.languageModel(), input, 2, 126);
        }
    }

    @Test
    void stepsLeaveNoArraysBehind() {
        try (Blip2Model model = Blip2Model.load(FixtureCheckpoints.fixture(FixtureCheckpoints.BLIP2_OPT_TINY));
                NDManager m = model.newCallManager()) {
            Map<String, NDArray> io = FixtureTensors.load(m, FixtureCheckpoints.BLIP2_OPT_TINY);
            NDArray embeds = model.lmInputsEmbeds(model.softPrompt(io.get("pixel_values")), io.get("input_ids"));
            NDArray mask = model.lmAttentionMask(io.get("attention_mask"));
            DeviceGreedy.Settings settings = new DeviceGreedy.Settings(40, 40, 1.2f, new long[] {2}, 1);
            List<Integer> live = new ArrayList<>();
            try (DeviceGreedy.Session session = model.decoder().startGreedy(embeds, mask, settings, null)) {
                while (session.steps() < 40) {
                    session.step();
                    live.add(m.getManagedArrays().size());
                }
                assertThat(session.tokens()[0]).hasSize(40);
            }
            assertThat(live).as("live arrays of the call after each step").containsOnly(live.get(0));
        }
    }
}
