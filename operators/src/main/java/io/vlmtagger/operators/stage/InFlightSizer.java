package io.vlmtagger.operators.stage;

import org.apache.flink.annotation.Internal;
import java.io.Serializable;

/** How many bytes one input holds while it is in flight, for an {@link InFlightBudget}. Deterministic per input. */
@FunctionalInterface
@Internal
public interface InFlightSizer<IN> extends Serializable {
    long sizeBytes(IN input);
}
