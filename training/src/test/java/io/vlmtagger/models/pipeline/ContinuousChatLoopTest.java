package io.vlmtagger.models.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.ChatTurn;
import io.vlmtagger.models.api.ContinuousChat;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.training.dataset.CaptionGrammar;
import io.vlmtagger.training.dataset.ImageFormat;
import io.vlmtagger.training.dataset.ShapesDataset;
import io.vlmtagger.models.runtime.SharedModelRegistry;
import io.vlmtagger.checkpoints.ShippedCheckpoint;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.testutil.RandomPixels;
import io.vlmtagger.models.text.PromptTooLongException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LlavaChatModel#openContinuous}: questions answered through the continuous loop (joining
 * each other mid-generation) get the tokens that {@link LlavaChatModel#answer} gives each alone.
 */
class ContinuousChatLoopTest {

    @Test
    void randomLlavaAnswersEqualSoloAnswers(@TempDir Path tmp) throws Exception {
        Path dir = FixtureCheckpoints.completeCheckpoint(FixtureCheckpoints.LLAVA_LLAMA_TINY, tmp.resolve("llava"));
        try (LlavaChatModel chat = LlavaChatModel.builder().setCheckpoint(dir).optRegistry(new SharedModelRegistry()).build()) {
            List<ChatRequest> requests = new ArrayList<>();
            String[] questions = {"what is in the image ?", "what color ?", "describe this", "what is it ?"};
            for (int i = 0; i < 7; i++) {
                List<ChatTurn> history = i % 3 == 0 ? List.of() : List.of(new ChatTurn("describe this", "a dog"));
                requests.add(new ChatRequest(image(i), history, questions[i % questions.length]));
            }
            assertContinuousEqualsSolo(chat, requests, 8);

            try (ContinuousChat loop = chat.openContinuous(2, 8).orElseThrow()) {
                CompletableFuture<GenerationResult> sampled = loop.submit(requests.get(0),
                        GenerationOptions.builder().optMaxNewTokens(4).optDoSample(true).build());
                assertThatThrownBy(sampled::get).cause().isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("greedily");
                List<ChatTurn> none = List.of();
                String huge = String.join(" ", Collections.nCopies(200, "what"));
                CompletableFuture<GenerationResult> tooLong = loop.submit(new ChatRequest(image(1), none, huge),
                        GenerationOptions.greedy(4));
                CompletableFuture<GenerationResult> fine = loop.submit(requests.get(1), GenerationOptions.greedy(4));
                assertThatThrownBy(tooLong::get).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(PromptTooLongException.class);
                assertThat(fine.get(60, TimeUnit.SECONDS).newTokens()).isBetween(1, 4);
            }
        }
    }

    @Test
    void shippedShapesModelAnswersEqualSoloAnswers(@TempDir Path tmp) throws Exception {
        Path dir = ShippedCheckpoint.LLAVA_SHAPES.copyTo(tmp);
        try (LlavaChatModel chat = LlavaChatModel.builder().setCheckpoint(dir).optRegistry(new SharedModelRegistry()).build()) {
            ShapesDataset data = ShapesDataset.builder().setSeed(77).build();
            List<ChatRequest> requests = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                PixelValues pixels = chat.preprocess(ImageFormat.PNG.encode(data.render(data.scene(i))));
                String type = CaptionGrammar.QUESTION_TYPES.get(i % CaptionGrammar.QUESTION_TYPES.size());
                requests.add(new ChatRequest(pixels, List.of(), CaptionGrammar.question(data.scene(i), type,
                        data.random(i)).question()));
            }
            assertContinuousEqualsSolo(chat, requests, 6);
        }
    }

    /**
     * Submits all at once to a 3-row loop, request {@code i} with its own token budget, so rows
     * finish at different steps and queued ones join the running rows; compares with each alone.
     */
    private static void assertContinuousEqualsSolo(LlavaChatModel chat, List<ChatRequest> requests, int maxNew)
            throws Exception {
        List<GenerationResult> continuous = new ArrayList<>();
        try (ContinuousChat loop = chat.openContinuous(3, 16).orElseThrow()) {
            List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                futures.add(loop.submit(requests.get(i), GenerationOptions.greedy(budget(i, maxNew))));
            }
            for (CompletableFuture<GenerationResult> f : futures) {
                continuous.add(f.get(60, TimeUnit.SECONDS));
            }
        }
        for (int i = 0; i < requests.size(); i++) {
            GenerationResult alone = chat.answer(List.of(requests.get(i)), GenerationOptions.greedy(budget(i, maxNew))).get(0);
            assertThat(continuous.get(i).tokenIds()).as("request %d", i).containsExactly(alone.tokenIds());
            assertThat(continuous.get(i).text()).isEqualTo(alone.text());
            assertThat(continuous.get(i).promptTokens()).isEqualTo(alone.promptTokens());
        }
    }

    private static int budget(int request, int maxNew) {
        return 1 + (request * 5) % maxNew;
    }

    private static PixelValues image(long seed) {
        return RandomPixels.of(seed, 32);
    }
}
