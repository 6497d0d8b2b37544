package io.vlmtagger.operators.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two leases acquire one shared model on one device and submit batches at the same moment; a fake
 * model records how many batches it runs at once. Each batch waits (bounded) until the other one
 * has entered too, so without a gate both are inside together every time.
 */
class DeviceGateTest {
    private static final int BATCHES_PER_SLOT = 6;

    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    /** The shared model of both leases: counts batches inside {@link #caption} at once. */
    static final class ConcurrencyRecordingModel implements AutoCloseable {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger maxInside = new AtomicInteger();
        final AtomicInteger batches = new AtomicInteger();
        volatile CountDownLatch bothInside = new CountDownLatch(2);

        List<String> caption(int n) throws InterruptedException {
            int now = inside.incrementAndGet();
            maxInside.accumulateAndGet(now, Math::max);
            try {
                CountDownLatch meet = bothInside;
                meet.countDown();
                meet.await(150, TimeUnit.MILLISECONDS); // gives a concurrent batch the chance to overlap
                List<String> out = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    out.add("caption " + i);
                }
                batches.incrementAndGet();
                return out;
            } finally {
                inside.decrementAndGet();
            }
        }

        @Override
        public void close() {}
    }

    private int maxConcurrentBatches(int deviceConcurrency) throws Exception {
        ConcurrencyRecordingModel shared = new ConcurrencyRecordingModel();
        ModelProvider<ConcurrencyRecordingModel> provider = (spec, device) -> shared;
        DeviceGates gates = new DeviceGates();
        ModelSpec spec = ModelSpec.of("/models/fake");
        List<ModelLease<ConcurrencyRecordingModel>> leases = List.of(
                ModelLease.acquire(provider, spec, "cpu", "lease-0", gates.gate("cpu", deviceConcurrency)),
                ModelLease.acquire(provider, spec, "cpu", "lease-1", gates.gate("cpu", deviceConcurrency)));
        for (int round = 0; round < BATCHES_PER_SLOT; round++) {
            shared.bothInside = new CountDownLatch(2);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> results = new ArrayList<>();
            for (ModelLease<ConcurrencyRecordingModel> lease : leases) {
                results.add(threads.submit(() -> {
                    start.await();
                    return lease.runBatch(() -> lease.model().caption(8));
                }));
            }
            start.countDown();
            for (Future<List<String>> r : results) {
                assertThat(r.get(10, TimeUnit.SECONDS)).hasSize(8);
            }
        }
        assertThat(shared.batches.get()).isEqualTo(2 * BATCHES_PER_SLOT);
        assertThat(shared.inside.get()).isZero();
        return shared.maxInside.get();
    }

    @Test
    void twoSlotsOnOneDeviceRunOneBatchAtATime() throws Exception {
        assertThat(maxConcurrentBatches(1)).isEqualTo(1);
    }

    @Test
    void withoutALimitOrWithTwoPermitsTheirBatchesOverlap() throws Exception {
        // the fake does see overlap: the limit above is what removes it
        assertThat(maxConcurrentBatches(0)).isEqualTo(2);
        assertThat(maxConcurrentBatches(2)).isEqualTo(2);
    }

    /** One thread per permit: the batches of both leases reuse its allocator arena instead of growing two. */
    @Test
    void theBatchesOfBothSlotsRunOnTheDevicesOneThread() throws Exception {
        DeviceGates gates = new DeviceGates();
        List<DeviceGate> leases = List.of(gates.gate("cpu", 1), gates.gate("cpu", 1));
        java.util.Set<String> ran = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            DeviceGate gate = leases.get(i % 2);
            results.add(threads.submit(() -> gate.run(() -> {
                ran.add(Thread.currentThread().getName());
                return "ok";
            })));
        }
        for (Future<String> r : results) {
            assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        }
        assertThat(ran).containsExactly("device-cpu-1");
        assertThat(DeviceGate.unlimited("cpu").run(() -> Thread.currentThread().getName()))
                .as("no limit: on the caller's thread").isEqualTo(Thread.currentThread().getName());
    }

    @Test
    void slotsOnOneDeviceShareItsGateAndOtherDevicesHaveTheirOwn() {
        DeviceGates gates = new DeviceGates();
        DeviceGate cpu = gates.gate("cpu", 1);
        assertThat(gates.gate("cpu", 1)).isSameAs(cpu);
        assertThat(gates.gate("cpu", 3)).as("one device, one limit: the first stays").isSameAs(cpu);
        assertThat(gates.gate("gpu:0", 1)).isNotSameAs(cpu);
        assertThat(gates.gate("cpu", 0)).isNotSameAs(cpu).extracting(DeviceGate::permits).isEqualTo(0);
    }

    @Test
    void aFailingBatchReleasesThePermit() throws Exception {
        DeviceGate gate = new DeviceGates().gate("cpu", 1);
        assertThatThrownBy(() -> gate.run(() -> {
            throw new IllegalStateException("model failed");
        })).hasMessage("model failed");
        Future<String> next = threads.submit(() -> gate.run(() -> "ran"));
        assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo("ran");
    }

    @Test
    void refusesANegativeLimit() {
        assertThatThrownBy(() -> new DeviceGates().gate("cpu", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 = no limit");
    }
}
