package io.vlmtagger.jobs.config;

import io.vlmtagger.operators.inference.InferenceOptions;
import io.vlmtagger.operators.results.ResultMergeOptions;

import java.util.List;

/**
 * The operators module's option classes, listed in one place so that the job accepts their keys
 * and the README documents them.
 */
final class OperatorOptionClasses {

    static List<Class<?>> classes() {
        return List.of(InferenceOptions.class, ResultMergeOptions.class);
    }

    private OperatorOptionClasses() {}
}
