package io.vlmtagger.operators.runtime;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Chooses the device of one subtask, in this order:
 * <ol>
 *   <li>the GPU indices the cluster assigned to the subtask's slot (Flink's external resource
 *       {@code gpu}: its GPU driver gives each slot indices, property {@code index}; several
 *       subtasks of one slot sharing group get the same assignment). With several indices the
 *       subtask index picks one of them.
 *   <li>otherwise the configured device list ({@code inference.devices}), subtask index modulo its
 *       length: {@code gpu:0;gpu:1} puts subtasks 0, 2, ... on the first GPU;
 *   <li>otherwise {@code cpu}.
 * </ol>
 * Subtasks that land on the same device in one TaskManager share one loaded model (through the
 * {@link ModelProvider}'s registry), each with its own batch queue.
 */
public final class DeviceSelector {
    /** Property of Flink's GPU driver ({@code GPUDriver}) carrying the device index. */
    public static final String GPU_INDEX_PROPERTY = "index";

    private DeviceSelector() {}

    /**
     * @param assignedGpuIndices the {@value #GPU_INDEX_PROPERTY} values of the slot's GPU resources
     *     (null or empty: none assigned)
     */
    public static String select(Collection<String> assignedGpuIndices, List<String> configuredDevices,
            int subtaskIndex) {
        if (subtaskIndex < 0) {
            throw new IllegalArgumentException("subtask index must be >= 0, got " + subtaskIndex);
        }
        TreeSet<Integer> indices = new TreeSet<>();
        if (assignedGpuIndices != null) {
            for (String index : assignedGpuIndices) {
                try {
                    indices.add(Integer.parseInt(index.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("GPU external resource has a non-numeric index '"
                            + index + "'; check the GPU driver's discovery script output", e);
                }
            }
        }
        if (!indices.isEmpty()) {
            List<Integer> sorted = List.copyOf(indices);
            return "gpu:" + sorted.get(subtaskIndex % sorted.size());
        }
        if (configuredDevices != null && !configuredDevices.isEmpty()) {
            String device = configuredDevices.get(subtaskIndex % configuredDevices.size()).trim();
            if (!device.equals("cpu") && !device.matches("gpu:\\d+")) {
                throw new IllegalArgumentException("inference.devices entry '" + device
                        + "' is not a device: use 'cpu' or 'gpu:<index>', e.g. gpu:0;gpu:1");
            }
            return device;
        }
        return "cpu";
    }
}
