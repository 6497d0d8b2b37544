package io.vlmtagger.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.api.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedModelRegistryTest {
    @TempDir
    Path tmp;

    /** Stands in for a loaded model: counts closes. */
    static final class FakeModel implements AutoCloseable {
        final int serial;
        final AtomicInteger closes = new AtomicInteger();

        FakeModel(int serial) {
            this.serial = serial;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    private ModelKey key(String dir, DataType dtype) throws Exception {
        return ModelKey.of(Files.createDirectories(tmp.resolve(dir)), DeviceSpec.CPU, dtype);
    }

    @Test
    void concurrentAcquiresLoadOnceAndShareTheModel() throws Exception {
        SharedModelRegistry registry = new SharedModelRegistry();
        ModelKey key = key("ckpt", DataType.FLOAT32);
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch loaderEntered = new CountDownLatch(1);
        CountDownLatch releaseLoader = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<SharedModelRegistry.Lease<FakeModel>>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> registry.acquire(key, k -> {
                    loaderEntered.countDown();
                    assertThat(releaseLoader.await(10, TimeUnit.SECONDS)).isTrue();
                    return new FakeModel(loads.incrementAndGet());
                })));
            }
            assertThat(loaderEntered.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(100); // let the other acquirers queue up behind the slow load
            releaseLoader.countDown();
            List<SharedModelRegistry.Lease<FakeModel>> leases = new ArrayList<>();
            for (var f : futures) {
                leases.add(f.get(10, TimeUnit.SECONDS));
            }
            assertThat(loads.get()).isEqualTo(1);
            FakeModel model = leases.get(0).get();
            assertThat(leases).allSatisfy(l -> assertThat(l.get()).isSameAs(model));
            assertThat(registry.refCount(key)).isEqualTo(8);

            for (int i = 0; i < 7; i++) {
                leases.get(i).close();
            }
            assertThat(model.closes.get()).isZero();
            assertThat(registry.refCount(key)).isEqualTo(1);
            leases.get(7).close();
            assertThat(model.closes.get()).isEqualTo(1);
            assertThat(registry.size()).isZero();
            leases.get(7).close(); // idempotent
            assertThat(model.closes.get()).isEqualTo(1);
            assertThatThrownBy(() -> leases.get(7).get()).hasMessageContaining("is closed");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reacquiringAfterTheLastCloseLoadsAgain() throws Exception {
        SharedModelRegistry registry = new SharedModelRegistry();
        ModelKey key = key("ckpt", DataType.FLOAT32);
        AtomicInteger loads = new AtomicInteger();
        SharedModelRegistry.Loader<FakeModel> loader = k -> new FakeModel(loads.incrementAndGet());
        try (var lease = registry.acquire(key, loader)) {
            assertThat(lease.get().serial).isEqualTo(1);
        }
        try (var lease = registry.acquire(key, loader)) {
            assertThat(lease.get().serial).isEqualTo(2);
        }
    }

    @Test
    void keysDifferByDtypeAndDeviceButNotBySpelling() throws Exception {
        SharedModelRegistry registry = new SharedModelRegistry();
        Path dir = Files.createDirectories(tmp.resolve("a/ckpt"));
        Files.createSymbolicLink(tmp.resolve("link"), dir);
        AtomicInteger loads = new AtomicInteger();
        SharedModelRegistry.Loader<FakeModel> loader = k -> new FakeModel(loads.incrementAndGet());
        try (var a = registry.acquire(ModelKey.of(dir, DeviceSpec.CPU, DataType.FLOAT32), loader);
                var b = registry.acquire(ModelKey.of(tmp.resolve("a/../link"), DeviceSpec.CPU, DataType.FLOAT32), loader);
                var c = registry.acquire(ModelKey.of(dir, DeviceSpec.CPU, DataType.BFLOAT16), loader);
                var d = registry.acquire(ModelKey.of(dir, DeviceSpec.gpu(0), DataType.FLOAT32), loader)) {
            assertThat(b.get()).isSameAs(a.get());
            assertThat(c.get()).isNotSameAs(a.get());
            assertThat(d.get()).isNotSameAs(a.get()).isNotSameAs(c.get());
            assertThat(loads.get()).isEqualTo(3);
        }
        assertThat(registry.size()).isZero();
    }

    @Test
    void aFailedLoadIsNotCachedAndNamesTheCheckpoint() throws Exception {
        SharedModelRegistry registry = new SharedModelRegistry();
        ModelKey key = key("broken", DataType.FLOAT32);
        AtomicInteger attempts = new AtomicInteger();
        SharedModelRegistry.Loader<FakeModel> failing = k -> {
            attempts.incrementAndGet();
            throw new java.io.IOException("model.safetensors truncated");
        };
        assertThatThrownBy(() -> registry.acquire(key, failing))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(key.checkpoint().toString())
                .hasMessageContaining("model.safetensors truncated")
                .hasCauseInstanceOf(java.io.IOException.class);
        assertThat(registry.size()).isZero();
        assertThatThrownBy(() -> registry.acquire(key, failing)).isInstanceOf(CheckpointException.class);
        assertThat(attempts.get()).isEqualTo(2);
        try (var lease = registry.acquire(key, k -> new FakeModel(7))) {
            assertThat(lease.get().serial).isEqualTo(7);
        }
    }

    @Test
    void waitersOfAFailedLoadAllSeeTheError() throws Exception {
        SharedModelRegistry registry = new SharedModelRegistry();
        ModelKey key = key("slow-broken", DataType.FLOAT32);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch fail = new CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                futures.add(pool.submit(() -> registry.acquire(key, k -> {
                    attempts.incrementAndGet();
                    entered.countDown();
                    fail.await(10, TimeUnit.SECONDS);
                    throw new IllegalStateException("bad weights");
                })));
            }
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(100);
            fail.countDown();
            int failures = 0;
            for (Future<?> f : futures) {
                try {
                    f.get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(CheckpointException.class).hasMessageContaining("bad weights");
                    failures++;
                }
            }
            // Acquirers that arrived while the load was running shared its failure; any that came
            // after the failure was dropped tried (and failed) again on their own.
            assertThat(failures).isEqualTo(4);
            assertThat(attempts.get()).isBetween(1, 4);
            assertThat(registry.size()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }
}
