package io.vlmtagger.operators.records;

import io.vlmtagger.schemas.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The result of a stage that may fail per element: either a value or a dead letter, never both.
 * Async functions cannot emit side outputs, so they emit an {@code Outcome} and a small process
 * function after them routes dead letters to the DLQ side output (see {@code OutcomeRouter}).
 *
 * <p>A Flink POJO: public fields, no-arg constructor.
 */
public class Outcome<T> {
    public T value;
    /** Serialized with Avro, see {@link DeadLetterTypeInfoFactory}. */
    @TypeInfo(DeadLetterTypeInfoFactory.class)
    public DeadLetter deadLetter;

    public Outcome() {}

    public static <T> Outcome<T> ok(T value) {
        Outcome<T> o = new Outcome<>();
        o.value = value;
        return o;
    }

    public static <T> Outcome<T> failed(DeadLetter deadLetter) {
        Outcome<T> o = new Outcome<>();
        o.deadLetter = deadLetter;
        return o;
    }

    public boolean isOk() {
        return deadLetter == null;
    }
}
