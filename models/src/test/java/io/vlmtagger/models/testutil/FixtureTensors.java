package io.vlmtagger.models.testutil;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The reference tensors of a parity fixture ({@code io.safetensors}) by name, plus row helpers. */
public final class FixtureTensors {

    private FixtureTensors() {}

    /** All tensors of {@code <fixture>/io.safetensors}, created in {@code manager}. */
    public static Map<String, NDArray> load(NDManager manager, String fixture) {
        Path file = FixtureCheckpoints.fixture(fixture).resolve("io.safetensors");
        try (InputStream in = Files.newInputStream(file)) {
            NDList list = NDList.decode(manager, in);
            Map<String, NDArray> byName = new LinkedHashMap<>();
            for (NDArray a : list) {
                byName.put(a.getName(), a);
            }
            return byName;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Rows of an int64 {@code [B, T]} array, keeping only positions where {@code mask} is 1 (null: all). */
    public static long[][] rows(NDArray ids, NDArray mask) {
        int b = (int) ids.getShape().get(0);
        int t = (int) ids.getShape().get(1);
        long[] flat = ids.toLongArray();
        long[] m = mask == null ? null : mask.toLongArray();
        long[][] out = new long[b][];
        for (int r = 0; r < b; r++) {
            long[] row = new long[t];
            int n = 0;
            for (int i = 0; i < t; i++) {
                if (m == null || m[r * t + i] != 0) {
                    row[n++] = flat[r * t + i];
                }
            }
            out[r] = java.util.Arrays.copyOf(row, n);
        }
        return out;
    }

    /**
     * The new tokens of HF {@code generate} output rows: columns from {@code from} on, cut after the
     * first eos (included) so that the pad filling is dropped.
     */
    public static long[][] newTokens(NDArray generated, int from, long eos) {
        long[][] all = rows(generated, null);
        long[][] out = new long[all.length][];
        for (int r = 0; r < all.length; r++) {
            int end = all[r].length;
            for (int i = from; i < all[r].length; i++) {
                if (all[r][i] == eos) {
                    end = i + 1;
                    break;
                }
            }
            out[r] = java.util.Arrays.copyOfRange(all[r], from, end);
        }
        return out;
    }
}
