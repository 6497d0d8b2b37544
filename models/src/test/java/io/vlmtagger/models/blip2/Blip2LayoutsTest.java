package io.vlmtagger.models.blip2;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.generate.KvCache;
import io.vlmtagger.models.weights.SafetensorsFile;
import io.vlmtagger.models.weights.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-consistency of BLIP-2 on layouts the transformers fixture does not cover (no reference
 * numbers exist for them): the KV-cached step-by-step forward equals the full forward, left padding
 * leaves real positions unchanged, and the two vision-bias layouts agree.
 */
class Blip2LayoutsTest {
    @TempDir Path tmp;
    private NDManager call;

    @BeforeEach
    void setUp() {
        call = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        call.close();
    }

    private static double maxAbsDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @ParameterizedTest(name = "preLayerNorm={0}")
    @ValueSource(booleans = {true, false})
    void cachedDecodingMatchesFullForwardWithProjectionsAndPadding(boolean preLayerNorm) throws Exception {
        TinyBlip2Checkpoint spec = new TinyBlip2Checkpoint();
        spec.preLayerNorm = preLayerNorm;
        try (Blip2Model model = Blip2Model.load(spec.write(tmp.resolve("m" + preLayerNorm)))) {
            assertThat(model.decoder().config().hasProjections()).isTrue();
            NDArray pixels = call.randomNormal(new Shape(2, 3, spec.imageSize, spec.imageSize));
            NDArray soft = model.softPrompt(pixels);
            assertThat(soft.getShape()).isEqualTo(new Shape(2, spec.queries, spec.wordEmbedProjDim));
            // row 0: 5 real tokens; row 1: 2 pads then 3 real tokens
            NDArray ids = call.create(new long[] {2, 5, 6, 7, 8, 1, 1, 2, 9, 10}, new Shape(2, 5));
            NDArray mask = call.create(new long[] {1, 1, 1, 1, 1, 0, 0, 1, 1, 1}, new Shape(2, 5));
            NDArray embeds = model.lmInputsEmbeds(soft, ids);
            NDArray lmMask = model.lmAttentionMask(mask);
            NDArray full = model.decoder().forward(embeds, lmMask, null); // [2, Q + 5, V]

            NDArray last = model.decoder().forwardLast(embeds, lmMask, null); // [2, V]
            assertThat(last.getShape()).isEqualTo(new Shape(2, spec.vocab));
            assertThat(maxAbsDiff(last, full.get(new NDIndex(":, -1, :")))).isLessThan(1e-5);

            int prefix = spec.queries + 2;
            try (KvCache cache = model.decoder().newCache()) {
                NDArray first = model.decoder().forward(embeds.get(new NDIndex(":, :{}", prefix)),
                        lmMask.get(new NDIndex(":, :{}", prefix)), cache);
                assertThat(maxAbsDiff(first, full.get(new NDIndex(":, :{}", prefix)))).isLessThan(1e-5);
                for (int t = prefix; t < spec.queries + 5; t++) {
                    NDArray step = model.decoder().forward(embeds.get(new NDIndex(":, {}:{}", t, t + 1)),
                            lmMask.get(new NDIndex(":, :{}", t + 1)), cache);
                    // position t of row 1 is padding for t < Q + 2 only; every step here is attended
                    assertThat(maxAbsDiff(step, full.get(new NDIndex(":, {}:{}", t, t + 1)))).as("step %d", t)
                            .isLessThan(1e-5);
                }
                assertThat(cache.length()).isEqualTo(spec.queries + 5);
            }

            // row 1 alone without padding gives the same logits at its real positions
            NDArray alone = model.logits(pixels.get("1:2"), call.create(new long[] {2, 9, 10}, new Shape(1, 3)),
                    call.create(new long[] {1, 1, 1}, new Shape(1, 3)));
            NDArray batched = full.get("1:2");
            assertThat(maxAbsDiff(alone.get(new NDIndex(":, :{}", spec.queries)),
                    batched.get(new NDIndex(":, :{}", spec.queries)))).isLessThan(1e-5);
            assertThat(maxAbsDiff(alone.get(new NDIndex(":, {}:", spec.queries)),
                    batched.get(new NDIndex(":, {}:", spec.queries + 2)))).isLessThan(1e-5);
        }
    }

    @Test
    void separateQvBiasesEqualAFusedBiasWithZeroKeyPart() throws Exception {
        TinyBlip2Checkpoint spec = new TinyBlip2Checkpoint();
        Path separate = spec.write(tmp.resolve("separate"));
        // the same weights with q_bias/v_bias fused into qkv.bias = cat(q_bias, 0, v_bias)
        Path fused = tmp.resolve("fused");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> in = SafetensorsFile.open(separate.resolve("model.safetensors")).readAll(m);
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : in.entrySet()) {
                String k = e.getKey();
                if (k.endsWith("self_attn.q_bias")) {
                    String p = k.substring(0, k.length() - "q_bias".length());
                    NDArray q = e.getValue();
                    out.put(p + "qkv.bias", q.concat(q.zerosLike()).concat(in.get(p + "v_bias")));
                } else if (!k.endsWith("self_attn.v_bias")) {
                    out.put(k, e.getValue());
                }
            }
            SafetensorsWriter.builder().setDirectory(fused).build().write(out);
        }
        Files.copy(separate.resolve("config.json"), fused.resolve("config.json"));
        try (Blip2Model a = Blip2Model.load(separate); Blip2Model b = Blip2Model.load(fused)) {
            NDArray pixels = call.randomNormal(new Shape(1, 3, spec.imageSize, spec.imageSize));
            NDArray va = a.visionEncode(a.visionEmbeddings(pixels));
            NDArray vb = b.visionEncode(b.visionEmbeddings(pixels));
            assertThat(maxAbsDiff(va, vb)).isLessThan(1e-6);
            assertThat(va.getDataType()).isEqualTo(DataType.FLOAT32);
        }
    }
}
