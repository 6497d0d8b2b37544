package io.vlmtagger.operators.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceSelectorTest {

    /** The index property of one GPU resource the slot was assigned. */
    private static String gpu(String index) {
        return index;
    }

    @Test
    void flinkGpuResourceWinsOverTheConfiguredList() {
        assertThat(DeviceSelector.select(Set.of(gpu("3")), List.of("gpu:0", "gpu:1"), 0)).isEqualTo("gpu:3");
        assertThat(DeviceSelector.select(Set.of(gpu("3")), List.of(), 5)).isEqualTo("gpu:3");
    }

    @Test
    void severalAssignedGpusAreSpreadBySubtaskIndex() {
        Set<String> two = Set.of(gpu("2"), gpu("0"));
        assertThat(DeviceSelector.select(two, List.of(), 0)).isEqualTo("gpu:0");
        assertThat(DeviceSelector.select(two, List.of(), 1)).isEqualTo("gpu:2");
        assertThat(DeviceSelector.select(two, List.of(), 2)).isEqualTo("gpu:0");
    }

    @Test
    void configuredDevicesAreUsedModuloTheSubtaskIndex() {
        List<String> devices = List.of("gpu:0", "gpu:1");
        assertThat(DeviceSelector.select(Set.of(), devices, 0)).isEqualTo("gpu:0");
        assertThat(DeviceSelector.select(Set.of(), devices, 1)).isEqualTo("gpu:1");
        assertThat(DeviceSelector.select(Set.of(), devices, 2)).isEqualTo("gpu:0");
        assertThat(DeviceSelector.select(null, devices, 3)).isEqualTo("gpu:1");
    }

    @Test
    void nothingConfiguredMeansCpu() {
        assertThat(DeviceSelector.select(Set.of(), List.of(), 7)).isEqualTo("cpu");
    }

    @Test
    void badEntriesSayWhatToWrite() {
        assertThatThrownBy(() -> DeviceSelector.select(Set.of(), List.of("cuda0"), 0))
                .hasMessageContaining("'cuda0'").hasMessageContaining("gpu:<index>");
        assertThatThrownBy(() -> DeviceSelector.select(Set.of(gpu("x")), List.of(), 0))
                .hasMessageContaining("non-numeric index 'x'");
    }
}
