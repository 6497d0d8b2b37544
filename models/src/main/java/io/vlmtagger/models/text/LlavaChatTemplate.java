package io.vlmtagger.models.text;

import io.vlmtagger.models.api.ChatTurn;
import java.util.List;
import java.util.Objects;

/**
 * LLaVA-1.5's conversation format (the Vicuna v1 template it was fine-tuned with), rendered and
 * tokenized within a token budget:
 *
 * <pre>
 * [system + " "]USER: &lt;image&gt;\n{q1} ASSISTANT: {a1}&lt;/s&gt;USER: {q2} ASSISTANT:
 * </pre>
 *
 * <p>The image token sits at the start of the first user message that is kept; each finished
 * answer is closed with the eos token ({@code </s>}, the training separator); the prompt ends with
 * {@code ASSISTANT:} and the ids start with bos. With no history and no system prompt this is
 * exactly the prompt of the {@code llava-hf/llava-1.5-*-hf} model cards, {@code "USER:
 * <image>\n{q} ASSISTANT:"}. The Jinja {@code chat_template} shipped with llava-hf joins turns with
 * a space instead ({@code ... ASSISTANT: {a1} USER: ...}); we keep the {@code </s>} separator the
 * model saw in training (LLaVA's {@code conv_vicuna_v1}, {@code sep2="</s>"}). Our default has no
 * system prompt, like the llava-hf examples; {@link Builder#optSystemPrompt} restores LLaVA's.
 *
 * <p>Budget: when the rendered ids exceed {@code maxPromptTokens}, the oldest turns are dropped
 * one at a time; if the question alone does not fit, {@link PromptTooLongException}. Literal
 * {@code <image>} strings in user text are removed so that a prompt always holds exactly one image
 * token. Thread-safe.
 */
public final class LlavaChatTemplate {
    public static final String DEFAULT_IMAGE_TOKEN = "<image>";
    /** LLaVA's original system prompt ({@code conv_vicuna_v1}), for {@link Builder#optSystemPrompt}. */
    public static final String LLAVA_SYSTEM_PROMPT = "A chat between a curious human and an artificial intelligence "
            + "assistant. The assistant gives helpful, detailed, and polite answers to the human's questions.";

    private final TextTokenizer tokenizer;
    private final String imageToken;
    private final String systemPrompt;
    private final String eosToken;
    private final long bosId;

    private LlavaChatTemplate(TextTokenizer tokenizer, String imageToken, String systemPrompt, String eosToken,
            long bosId) {
        this.tokenizer = tokenizer;
        this.imageToken = imageToken;
        this.systemPrompt = systemPrompt;
        this.eosToken = eosToken;
        this.bosId = bosId;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The largest prompt (in tokens, image token counted once) that leaves room for {@code
     * maxNewTokens} and for the image token's expansion into {@code imageFeatures} rows.
     */
    public static int promptBudget(int contextLength, int maxNewTokens, int imageFeatures) {
        return contextLength - maxNewTokens - (imageFeatures - 1);
    }

    /** The prompt text for the whole history (no budget applied). */
    public String render(List<ChatTurn> history, String question) {
        StringBuilder sb = new StringBuilder();
        if (!systemPrompt.isEmpty()) {
            sb.append(systemPrompt).append(' ');
        }
        boolean first = true;
        for (ChatTurn turn : history) {
            appendQuestion(sb, turn.question(), first);
            sb.append(' ').append(clean(turn.answer()).strip()).append(eosToken);
            first = false;
        }
        appendQuestion(sb, question, first);
        return sb.toString();
    }

    /**
     * The prompt ids within {@code maxPromptTokens}, dropping the oldest turns first.
     *
     * @throws PromptTooLongException when even the question alone does not fit
     */
    public ChatPrompt tokenize(List<ChatTurn> history, String question, int maxPromptTokens) {
        Objects.requireNonNull(question, "question");
        for (int drop = 0; drop <= history.size(); drop++) {
            List<ChatTurn> kept = history.subList(drop, history.size());
            String text = render(kept, question);
            long[] ids = ids(text);
            if (ids.length <= maxPromptTokens) {
                return new ChatPrompt(text, ids, kept.size(), drop);
            }
            if (kept.isEmpty()) {
                throw new PromptTooLongException(ids.length, maxPromptTokens);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private long[] ids(String text) {
        long[] body = tokenizer.encode(text);
        long[] ids = new long[body.length + 1];
        ids[0] = bosId;
        System.arraycopy(body, 0, ids, 1, body.length);
        return ids;
    }

    private void appendQuestion(StringBuilder sb, String question, boolean first) {
        sb.append("USER: ");
        if (first) {
            sb.append(imageToken).append('\n');
        }
        sb.append(clean(question).strip()).append(" ASSISTANT:");
    }

    private String clean(String text) {
        return text.replace(imageToken, "");
    }

    /** Builder: {@code setTokenizer} is required. */
    public static final class Builder {
        private TextTokenizer tokenizer;
        private String imageToken = DEFAULT_IMAGE_TOKEN;
        private String systemPrompt = "";

        private Builder() {}

        /** The checkpoint's tokenizer; its bos and first eos id are used. */
        public Builder setTokenizer(TextTokenizer tokenizer) {
            this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
            return this;
        }

        /** The image placeholder string (default {@code <image>}, id {@code image_token_index}). */
        public Builder optImageToken(String imageToken) {
            this.imageToken = Objects.requireNonNull(imageToken, "imageToken");
            return this;
        }

        /** Text before the first {@code USER:} (default none); see {@link #LLAVA_SYSTEM_PROMPT}. */
        public Builder optSystemPrompt(String systemPrompt) {
            this.systemPrompt = Objects.requireNonNull(systemPrompt, "systemPrompt").strip();
            return this;
        }

        public LlavaChatTemplate build() {
            if (tokenizer == null) {
                throw new IllegalStateException("LlavaChatTemplate needs setTokenizer(TextTokenizer.fromCheckpoint(dir))");
            }
            SpecialTokenIds ids = tokenizer.specialIds();
            if (ids.bos().isEmpty() || ids.firstEos().isEmpty()) {
                throw new IllegalStateException("the tokenizer has no bos/eos ids (" + ids
                        + "): add bos_token_id/eos_token_id to generation_config.json");
            }
            tokenizer.tokenId(imageToken); // fails with a clear message when it is not one token
            String eos = tokenizer.decodeKeepingSpecialTokens(new long[] {ids.firstEos().getAsLong()}).strip();
            return new LlavaChatTemplate(tokenizer, imageToken, systemPrompt, eos, ids.bos().getAsLong());
        }
    }
}
