package io.vlmtagger.operators.runtime;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What makes two inference requests interchangeable: the same image bytes (by SHA-256), the same
 * model revision and the same prompt and generation options. A new checkpoint revision or a
 * changed prompt therefore never reuses an old answer.
 *
 * @param imageSha256 lower-case hex SHA-256 of the encoded image bytes
 * @param modelRevision {@code ModelInfo.revision()} of the model that answers
 * @param request the prompt and options, in any stable text form (e.g. prompt + options' toString)
 */
public record DedupKey(String imageSha256, String modelRevision, String request) {

    public DedupKey {
        Objects.requireNonNull(imageSha256, "imageSha256");
        Objects.requireNonNull(modelRevision, "modelRevision: use the loaded model's ModelInfo.revision()");
        Objects.requireNonNull(request, "request: use \"\" when there is no prompt and the options are fixed");
    }

    /** Hashes {@code imageBytes} and builds the key. */
    public static DedupKey of(byte[] imageBytes, String modelRevision, String request) {
        return new DedupKey(sha256(imageBytes), modelRevision, request);
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must provide", e);
        }
    }
}
