package io.vlmtagger.operators.fetch;

import java.io.IOException;
import java.util.Objects;

/** A failed fetch with a typed {@link FetchFailure}; the message only ever holds redacted URIs. */
public class FetchException extends IOException {
    private static final long serialVersionUID = 1L;

    private final FetchFailure failure;

    public FetchException(FetchFailure failure, String message) {
        this(failure, message, null);
    }

    public FetchException(FetchFailure failure, String message, Throwable cause) {
        super(message, cause);
        this.failure = Objects.requireNonNull(failure, "failure");
    }

    public FetchFailure failure() {
        return failure;
    }

    /** The first {@link FetchException} in the cause chain of {@code t}, or null. */
    public static FetchException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof FetchException) {
                return (FetchException) c;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }
}
