package io.vlmtagger.operators.results;

import java.time.Clock;
import java.time.Duration;

import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * Wires the result merge into a job: each stage's results and dead letters become
 * {@link ResultPart}s, the events' expectations are added, and {@link #apply} keys them by event id
 * into one {@link EnrichedImage} per event, for the captions topic and the search index alike (so
 * a compacted topic and the upserting index keep caption and answer together).
 *
 * <pre>{@code
 * DataStream<ResultPart> parts = expectations
 *         .union(ResultMerge.results(captioned, ResultPart.CAPTION),
 *                ResultMerge.failures(captionDeadLetters, ResultPart.CAPTION), ...);
 * DataStream<EnrichedImage> oneEach = ResultMerge.apply(parts, Duration.ofMinutes(30));
 * }</pre>
 */
public final class ResultMerge {
    public static final TypeInformation<ResultPart> PART_TYPE = TypeInformation.of(ResultPart.class);
    public static final TypeInformation<EnrichedImage> OUTPUT_TYPE = new AvroTypeInfo<>(EnrichedImage.class);

    private ResultMerge() {}

    /** {@code part}'s results as merge inputs. */
    public static DataStream<ResultPart> results(DataStream<EnrichedImage> results, String part) {
        return results.map(r -> ResultPart.result(part, r), PART_TYPE)
                .name("merge-in-" + part).uid("merge-in-" + part);
    }

    /** {@code part}'s dead letters as merge inputs (dead letters without an event id are never expected). */
    public static DataStream<ResultPart> failures(DataStream<DeadLetter> deadLetters, String part) {
        FlatMapFunction<DeadLetter, ResultPart> toPart = (DeadLetter d, Collector<ResultPart> out) -> {
            ResultPart p = ResultPart.failed(part, d);
            if (p != null) {
                out.collect(p);
            }
        };
        return deadLetters.flatMap(toPart, PART_TYPE).name("merge-failed-" + part).uid("merge-failed-" + part);
    }

    /** One {@link EnrichedImage} per event (see {@link ResultMergeFunction}). */
    public static SingleOutputStreamOperator<EnrichedImage> apply(DataStream<ResultPart> parts, Duration timeout) {
        return parts.keyBy(p -> p.eventId, Types.STRING)
                .process(new ResultMergeFunction(timeout, Clock.systemUTC()), OUTPUT_TYPE)
                .name("merge-results").uid("merge-results");
    }
}
