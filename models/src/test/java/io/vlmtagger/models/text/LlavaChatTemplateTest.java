package io.vlmtagger.models.text;

import static io.vlmtagger.models.testutil.FixtureCheckpoints.LLAVA_LLAMA_TINY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vlmtagger.models.api.ChatTurn;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlavaChatTemplateTest {
    @TempDir
    Path tmp;

    private TextTokenizer tokenizer;
    private LlavaChatTemplate template;

    @BeforeEach
    void load() {
        tokenizer = TextTokenizer.fromCheckpoint(FixtureCheckpoints.completeCheckpoint(LLAVA_LLAMA_TINY, tmp));
        template = LlavaChatTemplate.builder().setTokenizer(tokenizer).build();
    }

    @AfterEach
    void close() {
        tokenizer.close();
    }

    private static long id(String word) {
        return FixtureCheckpoints.wordId(LLAVA_LLAMA_TINY, word);
    }

    @Test
    void singleTurnIsTheModelCardPrompt() {
        assertThat(template.render(List.of(), "what is in the image?"))
                .isEqualTo("USER: <image>\nwhat is in the image? ASSISTANT:");
        ChatPrompt p = template.tokenize(List.of(), "what is in the image?", 100);
        assertThat(p.ids()).containsExactly(1, id("USER"), id(":"), 127, id("what"), id("is"), id("in"), id("the"),
                id("image"), id("?"), id("ASSISTANT"), id(":"));
        assertThat(p.turnsKept()).isZero();
        assertThat(p.turnsDropped()).isZero();
    }

    @Test
    void historyClosesEachAnswerWithEos() {
        List<ChatTurn> history = List.of(new ChatTurn("what is this?", "a dog"), new ChatTurn("color?", "a cat"));
        String text = template.render(history, "describe the picture");
        assertThat(text).isEqualTo("USER: <image>\nwhat is this? ASSISTANT: a dog</s>USER: color? ASSISTANT: a cat</s>"
                + "USER: describe the picture ASSISTANT:");
        long[] ids = template.tokenize(history, "describe the picture", 100).ids();
        assertThat(Arrays.stream(ids).filter(i -> i == 2).count()).isEqualTo(2);
        assertThat(Arrays.stream(ids).filter(i -> i == 127).count()).isEqualTo(1);
        assertThat(ids[0]).isEqualTo(1);
    }

    @Test
    void dropsTheOldestTurnsFirstAndKeepsTheImage() {
        List<ChatTurn> history = List.of(
                new ChatTurn("what is this?", "a dog and a cat"),
                new ChatTurn("color?", "a cat"),
                new ChatTurn("what is in the image?", "a dog"));
        int full = template.tokenize(history, "describe this", 1000).length();
        int lastTurnOnly = template.tokenize(history.subList(2, 3), "describe this", 1000).length();

        ChatPrompt p = template.tokenize(history, "describe this", lastTurnOnly);
        assertThat(p.turnsKept()).isEqualTo(1);
        assertThat(p.turnsDropped()).isEqualTo(2);
        assertThat(p.text()).startsWith("USER: <image>\nwhat is in the image? ASSISTANT: a dog</s>");
        assertThat(p.length()).isLessThanOrEqualTo(lastTurnOnly);

        assertThat(template.tokenize(history, "describe this", full).turnsDropped()).isZero();
        assertThat(template.tokenize(history, "describe this", full - 1).turnsDropped()).isEqualTo(1);
    }

    @Test
    void refusesAQuestionThatAloneExceedsTheBudget() {
        int alone = template.tokenize(List.of(), "describe this picture", 1000).length();
        assertThatThrownBy(() -> template.tokenize(List.of(new ChatTurn("what?", "a dog")), "describe this picture",
                        alone - 1))
                .isInstanceOfSatisfying(PromptTooLongException.class, e -> {
                    assertThat(e.promptTokens()).isEqualTo(alone);
                    assertThat(e.budgetTokens()).isEqualTo(alone - 1);
                });
    }

    @Test
    void userTextCannotInjectImageTokens() {
        long[] ids = template.tokenize(List.of(new ChatTurn("<image> what?", "<image>")), "<image>describe", 100).ids();
        assertThat(Arrays.stream(ids).filter(i -> i == 127).count()).isEqualTo(1);
    }

    @Test
    void systemPromptGoesFirst() {
        LlavaChatTemplate withSystem = LlavaChatTemplate.builder().setTokenizer(tokenizer)
                .optSystemPrompt("describe this.").build();
        assertThat(withSystem.render(List.of(), "what?")).isEqualTo("describe this. USER: <image>\nwhat? ASSISTANT:");
    }

    @Test
    void budgetAccountsForImageExpansion() {
        // llava-1.5: 4096 context, 576 image features -> the image token stands for 576 rows.
        assertThat(LlavaChatTemplate.promptBudget(4096, 100, 576)).isEqualTo(4096 - 100 - 575);
    }
}
