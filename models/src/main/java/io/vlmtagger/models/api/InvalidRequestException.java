package io.vlmtagger.models.api;

/**
 * A request this model cannot answer as it is, e.g. a question that does not fit the context even
 * without history. Permanent: the same request fails the same way on every attempt, so callers
 * do not retry it. {@link #reason()} is a stable snake_case word for dead letters and metrics
 * (e.g. {@code prompt_too_long}).
 */
public class InvalidRequestException extends IllegalArgumentException {
    private final String reason;

    public InvalidRequestException(String reason, String message) {
        super(message);
        if (reason == null || !reason.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("reason must be a snake_case word such as prompt_too_long, got " + reason);
        }
        this.reason = reason;
    }

    /** Why the request cannot be answered, e.g. {@code prompt_too_long}. */
    public String reason() {
        return reason;
    }
}
