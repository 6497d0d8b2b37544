package io.vlmtagger.models.testutil;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FixtureCheckpointsTest {

    @Test
    void writtenTokenizerEncodesPromptWordsAndDecodesWithoutSpecials(@TempDir Path tmp) throws Exception {
        for (String name : new String[] {FixtureCheckpoints.BLIP2_OPT_TINY, FixtureCheckpoints.LLAVA_LLAMA_TINY}) {
            Path dir = FixtureCheckpoints.completeCheckpoint(name, tmp.resolve(name));
            assertThat(dir.resolve("preprocessor_config.json")).exists();
            assertThat(Files.size(dir.resolve("model.safetensors"))).isPositive();
            try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"))) {
                Encoding enc = tok.encode("a photo of");
                long bos = name.equals(FixtureCheckpoints.LLAVA_LLAMA_TINY) ? 1 : 2;
                assertThat(enc.getIds()).containsExactly(bos,
                        FixtureCheckpoints.wordId(name, "a"),
                        FixtureCheckpoints.wordId(name, "photo"),
                        FixtureCheckpoints.wordId(name, "of"));
                assertThat(tok.decode(enc.getIds(), true)).isEqualTo("a photo of");
            }
        }
    }
}
