package io.vlmtagger.models.weights;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading keeps no second host copy of the checkpoint: each tensor's bytes pass through a mapping
 * released right after, so memory grows by the weights and nothing more, and no mapped or direct
 * buffer stays behind. Measured on a 64 MiB tensor, far above the process's allocation noise.
 */
class WeightLoadingMemoryTest {
    private static final long MIB = 1 << 20;
    private static final int ROWS = 4096;
    private static final int COLS = 4096; // 16 M floats = 64 MiB as F32

    @TempDir
    Path dir;

    private void writeBig(SafetensorsDtype dtype) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray big = m.arange(0f, (float) ROWS * COLS, 1f).reshape(ROWS, COLS).div(1024f);
            SafetensorsWriter.writeFile(dir.resolve("model.safetensors"), Map.of("big.weight", big), dtype,
                    Map.of("format", "pt"));
        }
    }

    @Test
    void memoryGrowsByTheWeightsOnly() throws Exception {
        writeBig(SafetensorsDtype.F32);
        long anonBefore = rssAnonBytes();
        long mappedBefore = pool("mapped");
        long directBefore = pool("direct");
        try (WeightStore store = WeightStore.builder().setCheckpoint(dir).optDataType(DataType.FLOAT32).build()) {
            NDArray w = store.get("big.weight", ROWS, COLS);
            assertThat(w.getFloat(ROWS - 1, COLS - 1)).isEqualTo((float) (ROWS * COLS - 1) / 1024f);
            long grown = rssAnonBytes() - anonBefore;
            // the old loader held a direct-buffer copy until a GC: 128 MiB
            assertThat(grown).as("anonymous memory grown while loading 64 MiB of F32 weights: %d MiB", grown / MIB)
                    .isLessThan(96 * MIB);
            assertThat(pool("mapped") - mappedBefore).as("mapped bytes still held after loading").isLessThan(MIB);
            assertThat(pool("direct") - directBefore).as("direct bytes still held after loading").isLessThan(MIB);
        }
    }

    @Test
    void aConvertedTensorLeavesNoStagingBehind() throws Exception {
        writeBig(SafetensorsDtype.F16);
        long mappedBefore = pool("mapped");
        long directBefore = pool("direct");
        try (WeightStore store = WeightStore.builder().setCheckpoint(dir).optDataType(DataType.FLOAT32).build()) {
            NDArray w = store.get("big.weight", ROWS, COLS);
            assertThat(w.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(w.getFloat(0, 2)).isEqualTo(2 / 1024f); // exact in float16
            assertThat(pool("mapped") - mappedBefore).as("mapped bytes still held after the conversion").isLessThan(MIB);
            assertThat(pool("direct") - directBefore).as("direct bytes still held after the conversion").isLessThan(MIB);
        }
    }

    private static long pool(String name) {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals(name)) {
                return b.getMemoryUsed();
            }
        }
        return 0;
    }

    /** The process's anonymous resident memory (RssAnon in /proc/self/status): heap, malloc, not file pages. */
    private static long rssAnonBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no RssAnon in /proc/self/status");
    }
}
