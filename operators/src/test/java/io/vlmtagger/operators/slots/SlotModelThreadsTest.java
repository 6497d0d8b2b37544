package io.vlmtagger.operators.slots;

import io.vlmtagger.models.runtime.EngineThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The slot path sets PyTorch's thread split from the operator's parallelism and the cores. */
class SlotModelThreadsTest {
    private String oldIntra;
    private String oldInter;

    @BeforeEach
    void clear() {
        oldIntra = System.getProperty(EngineThreads.NUM_THREADS);
        oldInter = System.getProperty(EngineThreads.NUM_INTEROP_THREADS);
        System.clearProperty(EngineThreads.NUM_THREADS);
        System.clearProperty(EngineThreads.NUM_INTEROP_THREADS);
    }

    @AfterEach
    void restore() {
        restore(EngineThreads.NUM_THREADS, oldIntra);
        restore(EngineThreads.NUM_INTEROP_THREADS, oldInter);
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
        EngineThreads.Settings s = SlotModel.configureEngineThreads(2);
        assertThat(s.intraOpThreads()).isEqualTo(Math.max(1, cores / Math.min(2, cores)));
        assertThat(s.interOpThreads()).isEqualTo(1);
        assertThat(System.getProperty(EngineThreads.NUM_THREADS)).isEqualTo(Integer.toString(s.intraOpThreads()));
    }

    @Test
    void moreSubtasksThanCoresStillGetOneThreadAndAnExplicitSettingWins() {
        assertThat(SlotModel.configureEngineThreads(1000).intraOpThreads()).isEqualTo(1);
        System.setProperty(EngineThreads.NUM_THREADS, "7");
        EngineThreads.Settings s = SlotModel.configureEngineThreads(1);
        assertThat(s.intraOpThreads()).isEqualTo(7);
        assertThat(s.changed()).isFalse();
    }

    @Test
    void aGateOfOneOnTheCpuGivesTheOneRunningBatchEveryCore() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(SlotModel.configureEngineThreads(2, "cpu", 1).intraOpThreads()).isEqualTo(cores);
        System.clearProperty(EngineThreads.NUM_THREADS);
        assertThat(SlotModel.configureEngineThreads(2, "cpu", 0).intraOpThreads())
                .isEqualTo(Math.max(1, cores / Math.min(2, cores)));
        System.clearProperty(EngineThreads.NUM_THREADS);
        assertThat(SlotModel.configureEngineThreads(2, "gpu:0", 1).intraOpThreads())
                .isEqualTo(Math.max(1, cores / Math.min(2, cores)));
    }
}
