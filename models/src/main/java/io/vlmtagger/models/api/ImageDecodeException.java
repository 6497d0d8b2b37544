package io.vlmtagger.models.api;

/**
 * An image could not be turned into pixels: corrupt or truncated bytes, an unsupported format,
 * or an image over the configured pixel budget. The {@link #reason()} is stable and meant for
 * dead-letter records and metrics.
 */
public class ImageDecodeException extends Exception {

    /** Why decoding failed. */
    public enum Reason {
        EMPTY,
        UNSUPPORTED_FORMAT,
        CORRUPT,
        TOO_LARGE
    }

    private final Reason reason;

    public ImageDecodeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ImageDecodeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
