package io.vlmtagger.operators.runtime;

import java.io.Serializable;

/**
 * Creates the {@link BatchScheduler} of an operator's batcher in {@code open()}; serializable so
 * that operators can carry it. The operator closes what it created.
 */
@FunctionalInterface
public interface BatchSchedulerFactory extends Serializable {
    BatchScheduler create(String name);

    static BatchSchedulerFactory system() {
        return name -> BatchScheduler.system(name + "-timer");
    }
}
