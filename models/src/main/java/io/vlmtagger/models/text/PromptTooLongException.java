package io.vlmtagger.models.text;

import io.vlmtagger.models.api.InvalidRequestException;

/**
 * The new question alone, with the template around it and no history, does not fit the token
 * budget: the request cannot be answered by this model. A permanent, per-request failure (dead
 * letter it; retrying will not help), reason {@value #REASON}.
 */
public class PromptTooLongException extends InvalidRequestException {
    /** The {@link #reason()} of this failure. */
    public static final String REASON = "prompt_too_long";

    private final int promptTokens;
    private final int budgetTokens;

    public PromptTooLongException(int promptTokens, int budgetTokens) {
        super(REASON, "the question needs " + promptTokens + " prompt tokens with the chat template but the budget is "
                + budgetTokens + " (context length minus new tokens minus image features): shorten the question");
        this.promptTokens = promptTokens;
        this.budgetTokens = budgetTokens;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int budgetTokens() {
        return budgetTokens;
    }
}
