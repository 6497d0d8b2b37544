package io.vlmtagger.models.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.ChatTurn;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.text.LlavaChatTemplate;
import io.vlmtagger.models.text.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatPipelineTest {
    private static final int FEATURES = 6;

    @Test
    void batchedAnswersEqualSingleOnesWithImageFeaturesMergedInPlace(@TempDir Path tmp) {
        Path dir = FixtureCheckpoints.completeCheckpoint(FixtureCheckpoints.LLAVA_LLAMA_TINY, tmp.resolve("c"));
        try (NDManager m = NDManager.newBaseManager(); TextTokenizer tok = TextTokenizer.fromCheckpoint(dir)) {
            ImageFeatureModel model = FakeVisionModels.imageFeatures(m, 128, FEATURES, 127, 128);
            LlavaChatTemplate template = LlavaChatTemplate.builder().setTokenizer(tok).build();
            ChatPipeline pipeline = new ChatPipeline(model, tok, template, System::nanoTime);
            List<ChatRequest> requests = List.of(
                    new ChatRequest(FakeVisionModels.image(1, 8), List.of(), "what is in the image ?"),
                    new ChatRequest(FakeVisionModels.image(2, 8),
                            List.of(new ChatTurn("describe this picture", "a dog and a cat")), "what color ?"),
                    new ChatRequest(FakeVisionModels.image(3, 8), List.of(), "describe"));
            GenerationOptions options = GenerationOptions.greedy(8);
            int before = m.getManagedArrays().size();
            List<GenerationResult> batched = pipeline.answer(requests, options);
            for (int r = 0; r < requests.size(); r++) {
                GenerationResult single = pipeline.answer(List.of(requests.get(r)), options).get(0);
                assertThat(batched.get(r).tokenIds()).as("row %d", r).containsExactly(single.tokenIds());
                int promptIds = pipeline.prompt(requests.get(r), 8).length();
                assertThat(batched.get(r).promptTokens()).isEqualTo(promptIds - 1 + FEATURES);
                assertThat(batched.get(r).text()).isEqualTo(tok.decode(batched.get(r).tokenIds()).strip());
            }
            assertThat(batched.get(0).tokenIds()).as("the image conditions the answer").isNotEqualTo(
                    pipeline.answer(List.of(new ChatRequest(FakeVisionModels.image(9, 8), List.of(),
                            "what is in the image ?")), options).get(0).tokenIds());
            assertThat(m.getManagedArrays()).as("no per-call arrays left in the model manager").hasSize(before);
        }
    }
}
