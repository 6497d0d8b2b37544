package io.vlmtagger.models.text;

import static io.vlmtagger.models.testutil.FixtureCheckpoints.LLAVA_LLAMA_TINY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vlmtagger.models.api.CheckpointException;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTokenizerTest {
    @TempDir
    Path tmp;

    private Path checkpoint;
    private TextTokenizer tokenizer;

    @BeforeEach
    void load() {
        checkpoint = FixtureCheckpoints.completeCheckpoint(LLAVA_LLAMA_TINY, tmp.resolve("llava"));
        tokenizer = TextTokenizer.fromCheckpoint(checkpoint);
    }

    @AfterEach
    void close() {
        tokenizer.close();
    }

    private static long id(String word) {
        return FixtureCheckpoints.wordId(LLAVA_LLAMA_TINY, word);
    }

    @Test
    void encodesWithoutAndWithSpecialTokens() {
        long[] plain = tokenizer.encode("what is in the image ?");
        assertThat(plain).containsExactly(id("what"), id("is"), id("in"), id("the"), id("image"), id("?"));
        assertThat(tokenizer.encodeWithSpecialTokens("what is")).containsExactly(1, id("what"), id("is"));
        // <image> is an added special token: never split by the pre-tokenizer.
        assertThat(tokenizer.encode("<image>\nwhat")).containsExactly(127, id("what"));
        assertThat(tokenizer.tokenId("<image>")).isEqualTo(127);
    }

    @Test
    void decodesSkippingSpecialTokens() {
        long[] ids = {1, 127, id("a"), id("dog"), 2, 126};
        assertThat(tokenizer.decode(ids)).isEqualTo("a dog");
        assertThat(tokenizer.decodeKeepingSpecialTokens(ids)).contains("<image>").contains("</s>");
    }

    @Test
    void readsSpecialIdsFromGenerationConfig() {
        SpecialTokenIds ids = tokenizer.specialIds();
        assertThat(ids.bos()).hasValue(1);
        assertThat(ids.eos()).containsExactly(2);
        assertThat(ids.pad()).hasValue(126);
        assertThat(ids.isEos(2)).isTrue();
        assertThat(ids.isEos(126)).isFalse();
    }

    @Test
    void fallsBackToTokenizerConfigTokenStrings() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tokenizer-only"));
        Files.copy(checkpoint.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": {\"content\": \"<s>\"}, \"eos_token\": \"</s>\", \"pad_token\": \"<pad>\"}");
        try (TextTokenizer t = TextTokenizer.fromCheckpoint(dir)) {
            assertThat(t.specialIds().bos()).hasValue(1);
            assertThat(t.specialIds().eos()).containsExactly(2);
            assertThat(t.specialIds().pad()).hasValue(126);
        }
    }

    @Test
    void generationConfigEosListIsKept() throws Exception {
        Files.writeString(checkpoint.resolve("generation_config.json"),
                "{\"bos_token_id\": 1, \"eos_token_id\": [2, 5]}");
        try (TextTokenizer t = TextTokenizer.fromCheckpoint(checkpoint)) {
            assertThat(t.specialIds().eos()).containsExactly(2, 5);
            // pad then comes from config.json
            assertThat(t.specialIds().pad()).hasValue(126);
        }
    }

    @Test
    void missingTokenizerNamesTheCheckpoint() {
        assertThatThrownBy(() -> TextTokenizer.fromCheckpoint(tmp))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(tmp.toString())
                .hasMessageContaining("tokenizer.json");
    }

    @Test
    void multiTokenStringIsNotATokenId() {
        assertThatThrownBy(() -> tokenizer.tokenId("a dog")).hasMessageContaining("is not a single token");
    }

    @Test
    void encodesConcurrently() throws Exception {
        String[] texts = {"what is in the image ?", "a dog and a cat", "describe this picture .", "<image>\nwhat color"};
        long[][] expected = new long[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            expected[i] = tokenizer.encode(texts[i]);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int round = 0; round < 200; round++) {
                int i = round % texts.length;
                results.add(pool.submit(() -> java.util.Arrays.equals(tokenizer.encode(texts[i]), expected[i])
                        && tokenizer.decode(expected[i]).equals(tokenizer.decode(tokenizer.encode(texts[i])))));
            }
            for (var f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
