package io.vlmtagger.operators.deadletter;

import java.util.Objects;

import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.records.Outcome;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Splits {@link Outcome}s: values to the main output, dead letters to {@link DeadLetters#TAG}.
 * Async functions cannot use side outputs, so each async stage is followed by one of these.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<ImageTask> ok = outcomes.process(OutcomeRouter.of(ImageTask.class));
 * DataStream<DeadLetter> failures = ok.getSideOutput(DeadLetters.TAG);
 * }</pre>
 */
public class OutcomeRouter<T> extends ProcessFunction<Outcome<T>, T> implements ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final TypeInformation<T> valueType;

    public OutcomeRouter(TypeInformation<T> valueType) {
        this.valueType = Objects.requireNonNull(valueType, "valueType");
    }

    public static <T> OutcomeRouter<T> of(Class<T> valueClass) {
        return new OutcomeRouter<>(TypeInformation.of(valueClass));
    }

    @Override
    public void processElement(Outcome<T> outcome, Context ctx, Collector<T> out) {
        if (outcome.isOk()) {
            if (outcome.value != null) {
                out.collect(outcome.value);
            }
        } else {
            ctx.output(DeadLetters.TAG, outcome.deadLetter);
        }
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return valueType;
    }
}
