package io.vlmtagger.operators.results;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One input of the {@link ResultMergeFunction}, keyed by event id: what an event asked for
 * ({@link Kind#EXPECTED}, with the part names), one part's result ({@link Kind#RESULT}) or that one
 * part failed and was dead-lettered ({@link Kind#FAILED}). Part names are the model stages:
 * {@link #CAPTION}, {@link #CHAT}, {@link #FEW_SHOT}. A Flink POJO.
 */
public class ResultPart {
    public static final String CAPTION = "caption";
    public static final String CHAT = "chat";
    public static final String FEW_SHOT = "few_shot";

    /** What this record says about the event. */
    public enum Kind { EXPECTED, RESULT, FAILED }

    public String eventId;
    public Kind kind;
    /** EXPECTED: every part the event asked for, in output order; RESULT and FAILED: the one part. */
    public String[] parts;
    /** RESULT only: the part's output. */
    @TypeInfo(EnrichedImageTypeInfoFactory.class)
    public EnrichedImage result;

    public ResultPart() {}

    private ResultPart(String eventId, Kind kind, String[] parts, EnrichedImage result) {
        this.eventId = Objects.requireNonNull(eventId, "eventId");
        this.kind = kind;
        this.parts = parts;
        this.result = result;
    }

    /** The event {@code eventId} will produce a result or a failure for each of {@code parts}. */
    public static ResultPart expected(String eventId, List<String> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("an event expects at least one part");
        }
        return new ResultPart(eventId, Kind.EXPECTED, parts.toArray(new String[0]), null);
    }

    /** {@code part}'s output for its event. */
    public static ResultPart result(String part, EnrichedImage result) {
        return new ResultPart(result.getEventId(), Kind.RESULT, new String[] {part}, result);
    }

    /** {@code part} of the event failed (its dead letter is on the dead-letter topic). */
    public static ResultPart failed(String part, String eventId) {
        return new ResultPart(eventId, Kind.FAILED, new String[] {part}, null);
    }

    /** {@link #failed} for a dead letter, or null when it names no event (never expected then). */
    public static ResultPart failed(String part, DeadLetter deadLetter) {
        return deadLetter.getEventId() == null ? null : failed(part, deadLetter.getEventId());
    }

    /** The one part of a RESULT or FAILED record. */
    public String part() {
        return parts[0];
    }

    @Override
    public String toString() {
        return "ResultPart{" + kind + ' ' + eventId + ' ' + Arrays.toString(parts) + '}';
    }
}
