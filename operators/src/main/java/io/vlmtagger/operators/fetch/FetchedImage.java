package io.vlmtagger.operators.fetch;

/** Bytes of one image with their hash and where they came from (redacted). */
public final class FetchedImage {
    private final byte[] bytes;
    private final String sha256;
    private final String contentType;
    private final String source;

    public FetchedImage(byte[] bytes, String sha256, String contentType, String source) {
        this.bytes = bytes;
        this.sha256 = sha256;
        this.contentType = contentType;
        this.source = source;
    }

    public byte[] bytes() {
        return bytes;
    }

    /** Lowercase hex sha256 of {@link #bytes()}. */
    public String sha256() {
        return sha256;
    }

    /** As declared by the producer or server; informational, may be null. */
    public String contentType() {
        return contentType;
    }

    /** {@code inline}, or the redacted URI. */
    public String source() {
        return source;
    }
}
