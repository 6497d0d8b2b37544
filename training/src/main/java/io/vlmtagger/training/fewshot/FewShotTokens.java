package io.vlmtagger.training.fewshot;

import io.vlmtagger.models.api.LabeledExample;
import io.vlmtagger.models.pipeline.FewShotPrompt;
import io.vlmtagger.models.text.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ids of an episode exactly as the serving tagger builds them: the checkpoint's own tokenizer
 * through {@link FewShotPrompt#build}, then the answer {@code " label."}.
 */
final class FewShotTokens implements AutoCloseable {
    private final TextTokenizer tokenizer;
    private final long bos;
    private final long eos;
    private final long fake;
    private final long image;
    private final long colon;

    FewShotTokens(TextTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.bos = tokenizer.specialIds().bos().orElseThrow();
        this.eos = tokenizer.specialIds().eos()[0];
        this.fake = tokenizer.tokenId(FewShotVocabulary.FAKE_TOKEN);
        this.image = tokenizer.tokenId(FewShotVocabulary.IMAGE_TOKEN);
        this.colon = tokenizer.tokenId(":");
    }

    /** The serving prompt of {@code e} (exemplars with their labels, the query's line left open). */
    long[] prompt(Episode e) {
        List<LabeledExample> examples = new ArrayList<>();
        for (String label : e.labels()) {
            examples.add(new LabeledExample(FewShotBatch.NO_IMAGE, List.of(label), null));
        }
        return FewShotPrompt.build(examples, FewShotPrompt.DEFAULT_INSTRUCTION, tokenizer::encode, bos, fake, image)
                .ids();
    }

    /** The prompt followed by the answer's tokens ({@code label .}); {@code </s>} is the last target. */
    long[] withAnswer(Episode e) {
        long[] p = prompt(e);
        long[] answer = tokenizer.encode(" " + e.answer() + ".");
        long[] out = Arrays.copyOf(p, p.length + answer.length);
        System.arraycopy(answer, 0, out, p.length, answer.length);
        return out;
    }

    long eos() {
        return eos;
    }

    long image() {
        return image;
    }

    long colon() {
        return colon;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
