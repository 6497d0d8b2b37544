package io.vlmtagger.operators.fewshot;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/** Knobs of the few-shot stage: exemplars kept in broadcast state, and their prepared features. */
public final class FewShotOptions {
    private FewShotOptions() {}

    public static final ConfigOption<Integer> MAX_EXEMPLARS = ConfigOptions.key("few-shot.max-exemplars")
            .intType().defaultValue(8)
            .withDescription("Exemplars kept per label set in broadcast state (the latest by publishedAt); all of them"
                    + " go into the prompt.");

    public static final ConfigOption<Integer> MAX_LABEL_SETS = ConfigOptions.key("few-shot.max-label-sets")
            .intType().defaultValue(1024)
            .withDescription("Most label sets kept in broadcast state; exemplars of further label sets are rejected"
                    + " (and counted).");

    public static final ConfigOption<MemorySize> EXEMPLAR_CACHE_SIZE = ConfigOptions.key("few-shot.exemplar-cache-size")
            .memoryType().defaultValue(MemorySize.parse("256mb"))
            .withDescription("Heap per few-shot subtask for the exemplar sets' prepared image features (computed once"
                    + " per version of a label set's exemplars, least recently used dropped first); a set that is"
                    + " not cached is prepared again by the next batch that needs it.");
}
