package io.vlmtagger.models.parity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.weights.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One fixture directory's {@code io.safetensors}, and the bookkeeping of a parity check: every
 * tensor must be either consumed as an input ({@link #input}) or compared ({@code expect*});
 * {@link #assertAllMatched} fails listing mismatches and tensors nobody checked.
 *
 * <p>Float tolerance, per tensor: {@code max|a - ref| <= 1e-4 * max(1, max|ref|)} over the compared
 * elements. Ids: exact.
 */
public final class ParityCase implements AutoCloseable {
    public static final double RELATIVE_BOUND = 1e-4;

    private final Path dir;
    private final NDManager manager;
    private final Map<String, NDArray> io;
    private final Set<String> covered = new LinkedHashSet<>();
    private final List<String> failures = new ArrayList<>();
    private final Map<String, String> summary = new LinkedHashMap<>();

    private ParityCase(Path dir, NDManager manager, Map<String, NDArray> io) {
        this.dir = dir;
        this.manager = manager;
        this.io = io;
    }

    static ParityCase open(Path dir) {
        NDManager manager = NDManager.newBaseManager();
        return new ParityCase(dir, manager, SafetensorsFile.open(dir.resolve("io.safetensors")).readAll(manager));
    }

    /** The fixture (checkpoint) directory. */
    public Path dir() {
        return dir;
    }

    /** The manager holding the io tensors; use it (or a sub-manager) for the model's call arrays. */
    public NDManager manager() {
        return manager;
    }

    public boolean has(String name) {
        return io.containsKey(name);
    }

    /** An input tensor (marks it as consumed). */
    public NDArray input(String name) {
        covered.add(name);
        return reference(name);
    }

    /** A reference tensor without marking it (e.g. to read a shape). */
    public NDArray reference(String name) {
        NDArray a = io.get(name);
        if (a == null) {
            throw new AssertionError(dir + "/io.safetensors has no tensor '" + name + "' (has " + io.keySet() + ")");
        }
        return a;
    }

    /** Compares a float tensor everywhere. */
    public void expect(String name, NDArray actual) {
        expectWhere(name, actual, null);
    }

    /**
     * Compares a float tensor where {@code mask} ({@code [B, S]}, over the first two dimensions)
     * is 1; {@code null} compares everything.
     */
    public void expectWhere(String name, NDArray actual, NDArray mask) {
        covered.add(name);
        NDArray ref = reference(name);
        if (!actual.getShape().equals(ref.getShape())) {
            fail(name, "shape " + actual.getShape() + ", reference " + ref.getShape());
            return;
        }
        float[] a = floats(actual);
        float[] r = floats(ref);
        long[] m = mask == null ? null : mask.toType(DataType.INT64, false).toLongArray();
        int inner = mask == null ? 1 : (int) (r.length / m.length);
        double maxRef = 0;
        double maxDiff = 0;
        int worst = -1;
        for (int i = 0; i < r.length; i++) {
            if (m != null && m[i / inner] != 1) {
                continue;
            }
            maxRef = Math.max(maxRef, Math.abs(r[i]));
            double diff = Math.abs((double) a[i] - r[i]);
            if (!(diff <= maxDiff)) { // NaN counts as worst
                maxDiff = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff;
                worst = i;
            }
        }
        double bound = RELATIVE_BOUND * Math.max(1, maxRef);
        summary.put(name, String.format("max|diff| %.3g (bound %.3g)", maxDiff, bound));
        if (!(maxDiff <= bound)) {
            fail(name, String.format("max|diff| %.4g > bound %.4g at flat index %d (actual %s, reference %s)",
                    maxDiff, bound, worst, a[worst], r[worst]));
        }
    }

    /** Compares integer ids exactly. */
    public void expectIds(String name, long[][] actual) {
        covered.add(name);
        NDArray ref = reference(name);
        long rows = ref.getShape().get(0);
        long cols = ref.getShape().get(1);
        long[] r = ref.toLongArray();
        if (actual.length != rows) {
            fail(name, actual.length + " rows, reference " + rows);
            return;
        }
        for (int i = 0; i < rows; i++) {
            long[] expected = Arrays.copyOfRange(r, (int) (i * cols), (int) ((i + 1) * cols));
            if (!Arrays.equals(expected, actual[i])) {
                fail(name, "row " + i + " is " + Arrays.toString(actual[i]) + ", reference " + Arrays.toString(expected));
            }
        }
        summary.put(name, "exact: " + (failures.stream().noneMatch(f -> f.startsWith(name + ":")) ? "yes" : "NO"));
    }

    /**
     * Compares per-step next-token logits {@code [B][steps][V]} with the reference {@code [B, S, V]},
     * for each row only the steps up to and including the one that produced {@code eos} (later
     * reference steps are logits of an already finished row).
     *
     * @param newTokens per row, the new tokens (step s produced newTokens[row][s])
     */
    public void expectStepLogits(String name, float[][][] actual, long[][] newTokens, long eos) {
        covered.add(name);
        NDArray ref = reference(name);
        int rows = (int) ref.getShape().get(0);
        int steps = (int) ref.getShape().get(1);
        int vocab = (int) ref.getShape().get(2);
        float[] r = floats(ref);
        double maxRef = 0;
        double maxDiff = 0;
        String worst = "";
        for (int b = 0; b < rows; b++) {
            for (int s = 0; s < steps; s++) {
                if (actual[b] == null || s >= actual[b].length) {
                    fail(name, "row " + b + " has no logits for step " + s);
                    return;
                }
                for (int v = 0; v < vocab; v++) {
                    float rv = r[(b * steps + s) * vocab + v];
                    maxRef = Math.max(maxRef, Math.abs(rv));
                    double diff = Math.abs((double) actual[b][s][v] - rv);
                    if (!(diff <= maxDiff)) {
                        maxDiff = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff;
                        worst = "row " + b + " step " + s + " token " + v;
                    }
                }
                if (s < newTokens[b].length && newTokens[b][s] == eos) {
                    break;
                }
            }
        }
        double bound = RELATIVE_BOUND * Math.max(1, maxRef);
        summary.put(name, String.format("max|diff| %.3g (bound %.3g)", maxDiff, bound));
        if (!(maxDiff <= bound)) {
            fail(name, String.format("max|diff| %.4g > bound %.4g at %s", maxDiff, bound, worst));
        }
    }

    private void fail(String name, String message) {
        failures.add(name + ": " + message);
    }

    /** Fails listing every mismatch and every io tensor neither consumed nor compared. */
    public void assertAllMatched() {
        summary.forEach((k, v) -> System.out.println("[parity] " + dir.getFileName() + " " + k + ": " + v));
        List<String> unchecked = io.keySet().stream().filter(k -> !covered.contains(k)).toList();
        if (!failures.isEmpty() || !unchecked.isEmpty()) {
            throw new AssertionError("parity with transformers failed for " + dir + ":\n  "
                    + String.join("\n  ", failures)
                    + (unchecked.isEmpty() ? "" : "\n  tensors in io.safetensors nobody computed: " + unchecked));
        }
    }

    /** What was compared and how closely (for logs/reports). */
    public Map<String, String> summary() {
        return summary;
    }

    private static float[] floats(NDArray a) {
        return a.getDataType() == DataType.FLOAT32 ? a.toFloatArray() : a.toType(DataType.FLOAT32, false).toFloatArray();
    }

    @Override
    public void close() {
        manager.close();
    }
}
