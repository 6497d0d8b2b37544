package io.vlmtagger.operators.runtime;

import io.vlmtagger.models.api.ModelHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Opening a model lease sets PyTorch's thread split from the operator's parallelism and the cores. */
class ModelLeaseThreadsTest {
    /** The system properties DJL's PyTorch engine reads its thread counts from. */
    private static final String NUM_THREADS = "ai.djl.pytorch.num_threads";
    private static final String NUM_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";
    private String oldIntra;
    private String oldInter;

    @BeforeEach
    void clear() {
        oldIntra = System.getProperty(NUM_THREADS);
        oldInter = System.getProperty(NUM_INTEROP_THREADS);
        System.clearProperty(NUM_THREADS);
        System.clearProperty(NUM_INTEROP_THREADS);
    }

    @AfterEach
    void restore() {
        restore(NUM_THREADS, oldIntra);
        restore(NUM_INTEROP_THREADS, oldInter);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    void splitsTheCoresBetweenTheSubtasks() {
        int cores = Runtime.getRuntime().availableProcessors();
        ModelHost.ThreadSplit s = ModelLease.configureEngineThreads(2);
        assertThat(s.intraOpThreads()).isEqualTo(Math.max(1, cores / Math.min(2, cores)));
        assertThat(s.interOpThreads()).isEqualTo(1);
        assertThat(System.getProperty(NUM_THREADS)).isEqualTo(Integer.toString(s.intraOpThreads()));
    }

    @Test
    void moreSubtasksThanCoresStillGetOneThreadAndAnExplicitSettingWins() {
        assertThat(ModelLease.configureEngineThreads(1000).intraOpThreads()).isEqualTo(1);
        System.setProperty(NUM_THREADS, "7");
        ModelHost.ThreadSplit s = ModelLease.configureEngineThreads(1);
        assertThat(s.intraOpThreads()).isEqualTo(7);
        assertThat(s.changed()).isFalse();
    }

    @Test
    void aGateOfOneOnTheCpuGivesTheOneRunningBatchEveryCore() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(ModelLease.configureEngineThreads(2, "cpu", 1).intraOpThreads()).isEqualTo(cores);
        System.clearProperty(NUM_THREADS);
        assertThat(ModelLease.configureEngineThreads(2, "cpu", 0).intraOpThreads())
                .isEqualTo(Math.max(1, cores / Math.min(2, cores)));
        System.clearProperty(NUM_THREADS);
        assertThat(ModelLease.configureEngineThreads(2, "gpu:0", 1).intraOpThreads())
                .isEqualTo(Math.max(1, cores / Math.min(2, cores)));
    }
}
