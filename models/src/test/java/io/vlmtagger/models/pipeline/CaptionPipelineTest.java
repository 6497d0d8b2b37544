package io.vlmtagger.models.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.text.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionPipelineTest {
    private static final int QUERIES = 4;

    @Test
    void batchedCaptionsEqualSingleOnesAndDecodeTheirTokens(@TempDir Path tmp) {
        Path dir = FixtureCheckpoints.completeCheckpoint(FixtureCheckpoints.BLIP2_OPT_TINY, tmp.resolve("c"));
        try (NDManager m = NDManager.newBaseManager(); TextTokenizer tok = TextTokenizer.fromCheckpoint(dir)) {
            CaptionPipeline pipeline = new CaptionPipeline(FakeVisionModels.softPrompt(m, 99, QUERIES), tok, System::nanoTime);
            List<CaptionRequest> requests = List.of(
                    CaptionRequest.of(FakeVisionModels.image(1, 8)),
                    new CaptionRequest(FakeVisionModels.image(2, 8), "a photo of"),
                    new CaptionRequest(FakeVisionModels.image(3, 8), "a dog"));
            GenerationOptions options = GenerationOptions.greedy(8);
            int before = m.getManagedArrays().size();
            List<GenerationResult> batched = pipeline.caption(requests, options);
            assertThat(batched).hasSize(3);
            int[] promptTokens = {QUERIES + 1, QUERIES + 4, QUERIES + 3}; // [bos] + words
            for (int r = 0; r < requests.size(); r++) {
                GenerationResult single = pipeline.caption(List.of(requests.get(r)), options).get(0);
                assertThat(batched.get(r).tokenIds()).as("row %d", r).containsExactly(single.tokenIds());
                assertThat(batched.get(r).promptTokens()).isEqualTo(promptTokens[r]);
                assertThat(batched.get(r).newTokens()).isEqualTo(batched.get(r).tokenIds().length);
                assertThat(batched.get(r).text()).isEqualTo(tok.decode(batched.get(r).tokenIds()).strip());
                assertThat(batched.get(r).timings().totalMs()).isGreaterThanOrEqualTo(batched.get(r).timings().decodeMs());
            }
            assertThat(batched.get(1).tokenIds()).as("the prompt conditions the caption")
                    .isNotEqualTo(pipeline.caption(List.of(CaptionRequest.of(FakeVisionModels.image(2, 8))), options)
                            .get(0).tokenIds());
            assertThat(m.getManagedArrays()).as("no per-call arrays left in the model manager").hasSize(before);
        }
    }

    @Test
    void emptyBatchGivesNoResults(@TempDir Path tmp) {
        Path dir = FixtureCheckpoints.completeCheckpoint(FixtureCheckpoints.BLIP2_OPT_TINY, tmp.resolve("c"));
        try (NDManager m = NDManager.newBaseManager(); TextTokenizer tok = TextTokenizer.fromCheckpoint(dir)) {
            CaptionPipeline pipeline = new CaptionPipeline(FakeVisionModels.softPrompt(m, 99, QUERIES), tok, System::nanoTime);
            assertThat(pipeline.caption(new ArrayList<>(), GenerationOptions.greedy(3))).isEmpty();
        }
    }
}
