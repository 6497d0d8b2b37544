package io.vlmtagger.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmtagger.training.dataset.CaptionGrammar;
import io.vlmtagger.training.dataset.QaPair;
import io.vlmtagger.training.dataset.Scene;
import io.vlmtagger.training.dataset.ShapesDataset;
import io.vlmtagger.models.preprocess.PreprocessorConfig;
import io.vlmtagger.models.text.LlavaChatTemplate;
import io.vlmtagger.models.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The written tokenizer and processor files, read back by the serving classes. */
class TinyTokenizerTest {

    @Test
    void captionsAndQuestionsRoundTripWithoutUnknownWords(@TempDir Path dir) throws IOException {
        CheckpointWriter.writeTextAndImageFiles(dir, false, 64, 64);
        ShapesDataset data = ShapesDataset.builder().setSeed(5).build();
        try (TextTokenizer tokenizer = TextTokenizer.fromCheckpoint(dir)) {
            assertThat(tokenizer.specialIds().bos()).hasValue(TinyVocabulary.BOS_ID);
            assertThat(tokenizer.specialIds().eos()).containsExactly(TinyVocabulary.EOS_ID);
            assertThat(tokenizer.specialIds().pad()).hasValue(TinyVocabulary.PAD_ID);
            Random random = new Random(1);
            for (Scene scene : data.scenes(60)) {
                long[] ids = tokenizer.encode(scene.caption());
                assertThat(ids).doesNotContain(TinyVocabulary.UNK_ID);
                assertThat(tokenizer.decode(ids)).isEqualTo(scene.caption());
                for (QaPair qa : CaptionGrammar.questions(scene, random)) {
                    assertThat(tokenizer.encode(qa.question())).doesNotContain(TinyVocabulary.UNK_ID);
                    assertThat(tokenizer.encode(qa.answer())).hasSize(1);
                }
            }
            // users type capitals; the tokenizer lowercases
            assertThat(tokenizer.encode("What COLOR is the Square?")).isEqualTo(tokenizer.encode("what color is the square?"));
        }
    }

    @Test
    void chatTemplateTokenizesToKnownWordsWithOneImageToken(@TempDir Path dir) throws IOException {
        CheckpointWriter.writeTextAndImageFiles(dir, true, 64, 128);
        try (TextTokenizer tokenizer = TextTokenizer.fromCheckpoint(dir)) {
            LlavaChatTemplate template = LlavaChatTemplate.builder().setTokenizer(tokenizer).build();
            long[] ids = template.tokenize(List.of(), "is there a star?", 128).ids();
            assertThat(ids[0]).isEqualTo(TinyVocabulary.BOS_ID);
            assertThat(ids).doesNotContain(TinyVocabulary.UNK_ID);
            assertThat(java.util.Arrays.stream(ids).filter(i -> i == TinyVocabulary.IMAGE_ID).count()).isEqualTo(1);
            assertThat(tokenizer.decode(ids)).isEqualTo("user : is there a star? assistant :");
        }
        PreprocessorConfig clip = PreprocessorConfig.fromCheckpoint(dir);
        assertThat(clip.doCenterCrop()).isTrue();
        assertThat(clip.cropHeight()).isEqualTo(64);
    }
}
