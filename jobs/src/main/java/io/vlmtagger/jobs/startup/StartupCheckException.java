package io.vlmtagger.jobs.startup;

/** A start-up check failed; the message says what is wrong and how to fix it. */
public class StartupCheckException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupCheckException(String message) {
        super(message);
    }

    public StartupCheckException(String message, Throwable cause) {
        super(message, cause);
    }
}
