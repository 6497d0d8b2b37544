package io.vlmtagger.operators.results;

import java.time.Duration;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Options of the result merge ({@link ResultMerge}). */
public final class ResultMergeOptions {

    public static final ConfigOption<Duration> MERGE_TIMEOUT =
            ConfigOptions.key("results.merge-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(30))
                    .withDescription("An event that asked for several results (e.g. CAPTION and CHAT) gets one EnrichedImage with all of them; a part still missing this long after the event's first result is given up and what arrived is emitted (results_merge_timeouts_total). Keep it above the longest inference with retries.");

    private ResultMergeOptions() {}
}
