package io.vlmtagger.training.fewshot;

import io.vlmtagger.models.pipeline.FewShotPrompt;
import io.vlmtagger.training.TinyVocabulary;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * The closed vocabulary of the tiny IDEFICS: the special tokens (ids as in the other tiny
 * checkpoints), the words of the serving few-shot prompt ({@link FewShotPrompt}), and label words
 * in three disjoint pools: {@link #TRAINING_LABELS} (the only labels training episodes use),
 * {@link #HELD_OUT_LABELS} (held-out evaluation) and {@link #DEMO_LABELS} (French and Spanish words
 * the local run uses; never seen in training either). IDEFICS' two image tokens are the additional
 * vocabulary ({@code additional_vocab_size} 2), after the base vocabulary, as in idefics-9b.
 *
 * <p>All label words share one frozen, randomly initialised embedding table (never trained), so a
 * word the model never saw is as readable and as writable as any other: the model learns to copy
 * the label of the exemplar that matches the query, not the labels themselves.
 */
public final class FewShotVocabulary {
    public static final String FAKE_TOKEN = "<fake_token_around_image>";
    public static final String IMAGE_TOKEN = "<image>";
    /** Words of the prompt FewShotPrompt builds (instruction, "Tags:", punctuation), lowercased. */
    public static final List<String> PROMPT_WORDS = promptWords();
    /** Words the local run shows (colours in French, shapes and counts in Spanish, sizes in French). */
    public static final List<String> DEMO_LABELS = List.of("rouge", "vert", "bleu", "jaune", "violet", "blanc",
            "circulo", "cuadrado", "triangulo", "estrella", "cruz", "uno", "dos", "tres", "petit", "grand");
    /** Nonsense words of training episodes. */
    public static final List<String> TRAINING_LABELS;
    /** Nonsense words of held-out episodes, disjoint from the training ones. */
    public static final List<String> HELD_OUT_LABELS;

    static {
        List<String> words = nonsenseWords(1152, 20261205L);
        TRAINING_LABELS = List.copyOf(words.subList(0, 1024));
        HELD_OUT_LABELS = List.copyOf(words.subList(1024, 1152));
    }

    private FewShotVocabulary() {}

    /** Base tokens by id, padded with {@code <extra_N>} to a multiple of 8 ({@code vocab_size}). */
    public static List<String> baseTokens() {
        List<String> out = new ArrayList<>(List.of(TinyVocabulary.PAD, TinyVocabulary.BOS, TinyVocabulary.EOS,
                TinyVocabulary.UNK));
        out.addAll(PROMPT_WORDS);
        out.addAll(TRAINING_LABELS);
        out.addAll(HELD_OUT_LABELS);
        out.addAll(DEMO_LABELS);
        for (int id = out.size(); id % 8 != 0; id++) {
            out.add("<extra_" + id + ">");
        }
        return out;
    }

    /** Every token by id: the base tokens, then {@link #FAKE_TOKEN} and {@link #IMAGE_TOKEN}. */
    public static List<String> allTokens() {
        List<String> out = baseTokens();
        out.add(FAKE_TOKEN);
        out.add(IMAGE_TOKEN);
        return out;
    }

    /** Special tokens (added tokens of tokenizer.json, skipped when decoding). */
    public static Set<String> specials() {
        return Set.of(TinyVocabulary.PAD, TinyVocabulary.BOS, TinyVocabulary.EOS, TinyVocabulary.UNK, FAKE_TOKEN,
                IMAGE_TOKEN);
    }

    private static List<String> promptWords() {
        Set<String> words = new LinkedHashSet<>();
        String text = (FewShotPrompt.DEFAULT_INSTRUCTION + " " + FewShotPrompt.ANSWER_PREFIX + " , .")
                .toLowerCase(Locale.ROOT);
        for (String w : text.split("\\s+|(?=[.:,])|(?<=[.:,])")) {
            if (!w.isBlank()) {
                words.add(w.strip());
            }
        }
        return List.copyOf(words);
    }

    /** Distinct pronounceable lowercase words (CVC, CVCV or CVCVC), none a prompt or demo word. */
    static List<String> nonsenseWords(int count, long seed) {
        String consonants = "bdfgklmnprstvz";
        String vowels = "aeiou";
        Random r = new Random(seed);
        Set<String> out = new LinkedHashSet<>();
        while (out.size() < count) {
            int syllables = 2 + r.nextInt(3); // letters: C V C [V [C]]
            StringBuilder w = new StringBuilder();
            for (int i = 0; i < syllables + 1; i++) {
                String from = i % 2 == 0 ? consonants : vowels;
                w.append(from.charAt(r.nextInt(from.length())));
            }
            String word = w.toString();
            if (!PROMPT_WORDS.contains(word) && !DEMO_LABELS.contains(word)) {
                out.add(word);
            }
        }
        return new ArrayList<>(out);
    }
}
