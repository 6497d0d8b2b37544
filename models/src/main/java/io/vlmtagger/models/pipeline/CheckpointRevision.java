package io.vlmtagger.models.pipeline;

import io.vlmtagger.models.api.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A short content hash identifying a checkpoint's version without reading its weights: SHA-256
 * over {@code config.json} and, per safetensors file (sorted by name), its name, size and header
 * (names, dtypes, shapes, offsets). Retrained weights of the same shapes keep the same header, so
 * pass an explicit revision where that matters.
 */
final class CheckpointRevision {

    private CheckpointRevision() {}

    /** 12 hex digits. */
    static String of(Path checkpoint) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(checkpoint.resolve("config.json")));
            List<Path> files;
            try (Stream<Path> s = Files.list(checkpoint)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            }
            for (Path f : files) {
                sha.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                sha.update(ByteBuffer.allocate(8).putLong(Files.size(f)).array());
                try (InputStream in = Files.newInputStream(f)) {
                    byte[] len = in.readNBytes(8);
                    long n = len.length == 8 ? ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong() : 0;
                    sha.update(in.readNBytes((int) Math.min(Math.max(n, 0), 100_000_000)));
                }
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (IOException e) {
            throw new CheckpointException("cannot fingerprint checkpoint " + checkpoint + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
