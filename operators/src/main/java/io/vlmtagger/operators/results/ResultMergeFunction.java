package io.vlmtagger.operators.results;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.vlmtagger.schemas.EnrichedImage;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One result record per event: keyed by event id, it waits until every part the event asked for
 * (caption, chat answer, few-shot tags) has arrived or failed, then emits one {@link EnrichedImage}
 * holding them all ({@link EnrichedImageMerge}). When every part failed it emits nothing (the dead
 * letters say why). A part still missing after {@code timeout} (processing time, counted from the
 * event's first record here) is given up: what arrived is emitted, with a warning and
 * {@code results_merge_timeouts_total}; this guards the state against a part that never comes.
 *
 * <p>Metrics: {@code results_emitted_total}, {@code results_merged_total} (records that combine
 * two or more parts), {@code results_merge_timeouts_total}. The counts are also logged at INFO
 * after the first result and then at most once a minute per subtask, so that a job started with
 * plain {@code java} shows its progress.
 */
public class ResultMergeFunction extends KeyedProcessFunction<String, ResultPart, EnrichedImage> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ResultMergeFunction.class);
    /** Output order of parts whose event expectation never arrived (timeouts only). */
    private static final List<String> DEFAULT_ORDER = List.of(ResultPart.CAPTION, ResultPart.CHAT, ResultPart.FEW_SHOT);
    private static final long PROGRESS_LOG_INTERVAL_MS = 60_000;

    private final Duration timeout;
    private final Clock clock;

    private transient ValueState<MergeProgress> progress;
    private transient MapState<String, EnrichedImage> results;
    private transient Counter emitted;
    private transient Counter merged;
    private transient Counter timeouts;
    private transient long lastProgressLogMs;

    /** @param clock gives {@code timings.emittedAt}; must be serializable (system and fixed clocks are) */
    public ResultMergeFunction(Duration timeout, Clock clock) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the result merge timeout must be positive, got " + timeout);
        }
        this.timeout = timeout;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void open(OpenContext openContext) {
        progress = getRuntimeContext().getState(
                new ValueStateDescriptor<>("result-merge-progress", TypeInformation.of(MergeProgress.class)));
        results = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("result-merge-parts", Types.STRING, ResultMerge.OUTPUT_TYPE));
        emitted = getRuntimeContext().getMetricGroup().counter("results_emitted_total");
        merged = getRuntimeContext().getMetricGroup().counter("results_merged_total");
        timeouts = getRuntimeContext().getMetricGroup().counter("results_merge_timeouts_total");
    }

    @Override
    public void processElement(ResultPart part, Context ctx, Collector<EnrichedImage> out) throws Exception {
        MergeProgress p = progress.value();
        if (p == null) {
            p = new MergeProgress();
            p.timerAt = ctx.timerService().currentProcessingTime() + timeout.toMillis();
            ctx.timerService().registerProcessingTimeTimer(p.timerAt);
        }
        switch (part.kind) {
            case EXPECTED -> p.expect(part.parts);
            case RESULT -> {
                results.put(part.part(), part.result);
                p.resolve(part.part());
            }
            case FAILED -> p.resolve(part.part());
            default -> throw new IllegalStateException("unhandled kind " + part.kind);
        }
        if (p.complete()) {
            ctx.timerService().deleteProcessingTimeTimer(p.timerAt);
            emit(p.expected, out);
        } else {
            progress.update(p);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EnrichedImage> out) throws Exception {
        MergeProgress p = progress.value();
        if (p == null || p.timerAt != timestamp) {
            return;
        }
        timeouts.inc();
        LOG.warn("result merge: event {} still misses {} after {}; emitting the parts that arrived",
                ctx.getCurrentKey(), p.missing(), timeout);
        emit(p.expectations > 0 ? p.expected : DEFAULT_ORDER.toArray(new String[0]), out);
    }

    private void emit(String[] order, Collector<EnrichedImage> out) throws Exception {
        List<EnrichedImage> parts = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String name : order) {
            EnrichedImage r = results.get(name);
            if (r != null && !seen.contains(name)) {
                parts.add(r);
                seen.add(name);
            }
        }
        for (Map.Entry<String, EnrichedImage> e : results.entries()) {
            if (!seen.contains(e.getKey())) {
                parts.add(e.getValue());
            }
        }
        progress.clear();
        results.clear();
        if (parts.isEmpty()) {
            return;
        }
        EnrichedImage result = EnrichedImageMerge.merge(parts, clock.instant());
        out.collect(result);
        emitted.inc();
        if (parts.size() > 1) {
            merged.inc();
        }
        long now = clock.millis();
        if (emitted.getCount() == 1 || now - lastProgressLogMs >= PROGRESS_LOG_INTERVAL_MS) {
            lastProgressLogMs = now;
            LOG.info("results: {} emitted by this subtask ({} combining several parts, {} merge timeouts); latest: event {}",
                    emitted.getCount(), merged.getCount(), timeouts.getCount(), result.getEventId());
        }
    }
}
