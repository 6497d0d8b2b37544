package io.vlmtagger.training;

import io.vlmtagger.training.dataset.CaptionGrammar;
import java.util.ArrayList;
import java.util.List;

/**
 * The closed vocabulary of the tiny checkpoints: special tokens first (fixed ids), then the words
 * of LLaVA's chat template, then the caption/question grammar. Both checkpoints share it.
 */
public final class TinyVocabulary {
    public static final String PAD = "<pad>";
    public static final String BOS = "<s>";
    public static final String EOS = "</s>";
    public static final String UNK = "<unk>";
    public static final String IMAGE = "<image>";
    public static final int PAD_ID = 0;
    public static final int BOS_ID = 1;
    public static final int EOS_ID = 2;
    public static final int UNK_ID = 3;
    public static final int IMAGE_ID = 4;
    /** Special tokens by id. */
    public static final List<String> SPECIALS = List.of(PAD, BOS, EOS, UNK, IMAGE);
    /** Words of the chat template {@code "USER: <image>\n{q} ASSISTANT:"}, after lowercasing. */
    public static final List<String> CHAT_WORDS = List.of("user", "assistant", ":");

    private TinyVocabulary() {}

    /** All tokens, index = id. */
    public static List<String> tokens() {
        List<String> out = new ArrayList<>(SPECIALS);
        out.addAll(CHAT_WORDS);
        out.addAll(CaptionGrammar.vocabulary());
        return out;
    }

    /** Vocabulary size rounded up to a multiple of 8 (the rows past the words are unused "<extra_N>"). */
    public static int size() {
        return (tokens().size() + 7) / 8 * 8;
    }
}
