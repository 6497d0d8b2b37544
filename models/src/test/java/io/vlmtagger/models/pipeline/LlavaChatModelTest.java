package io.vlmtagger.models.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.ChatTurn;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.runtime.SharedModelRegistry;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.testutil.FixtureTensors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlavaChatModelTest {

    @Test
    void answersMatchTransformersAndChatTemplateRuns(@TempDir Path tmp) {
        Path dir = FixtureCheckpoints.completeCheckpoint(FixtureCheckpoints.LLAVA_LLAMA_TINY, tmp.resolve("llava"));
        SharedModelRegistry registry = new SharedModelRegistry();
        try (NDManager m = NDManager.newBaseManager();
                LlavaChatModel chat = LlavaChatModel.builder().setCheckpoint(dir).optRegistry(registry).build()) {
            Map<String, NDArray> io = FixtureTensors.load(m, FixtureCheckpoints.LLAVA_LLAMA_TINY);
            List<PixelValues> images = Blip2CaptionerTest.pixelRows(io.get("pixel_values"));
            long[][] prompts = FixtureTensors.rows(io.get("input_ids"), io.get("attention_mask"));
            long[][] expected = FixtureTensors.newTokens(io.get("generated_ids"),
                    (int) io.get("input_ids").getShape().get(1), 2);
            List<GenerationResult> out = chat.answerIds(prompts, images, GenerationOptions.greedy(10));
            for (int r = 0; r < 2; r++) {
                assertThat(out.get(r).tokenIds()).as("row %d", r).containsExactly(expected[r]);
                assertThat(out.get(r).promptTokens()).isEqualTo(prompts[r].length - 1 + 64);
            }
            assertThat(chat.maxContextTokens()).isEqualTo(128);

            List<ChatRequest> requests = List.of(
                    new ChatRequest(images.get(0), List.of(), "what is in the image ?"),
                    new ChatRequest(images.get(1), List.of(new ChatTurn("describe this", "a dog")), "what color ?"));
            List<GenerationResult> answers = chat.answer(requests, GenerationOptions.greedy(6));
            assertThat(answers).hasSize(2);
            for (GenerationResult a : answers) {
                assertThat(a.newTokens()).isBetween(1, 6);
                assertThat(a.promptTokens() + 6).isLessThanOrEqualTo(chat.maxContextTokens());
            }
            // a long history is trimmed to the context instead of failing
            List<ChatTurn> history = java.util.Collections.nCopies(30, new ChatTurn("what is in the image ?", "a dog and a cat"));
            GenerationResult trimmed = chat.answer(List.of(new ChatRequest(images.get(0), history, "what color ?")),
                    GenerationOptions.greedy(6)).get(0);
            assertThat(trimmed.promptTokens() + 6).isLessThanOrEqualTo(128);
        }
        assertThat(registry.size()).isZero();
    }
}
