package io.vlmtagger.jobs.config;

import io.vlmtagger.operators.fetch.FetchOptions;
import io.vlmtagger.operators.fewshot.FewShotOptions;
import io.vlmtagger.operators.results.ResultMergeOptions;
import io.vlmtagger.operators.stage.InferenceOptions;

import java.util.List;

/**
 * The operators module's option classes, listed in one place so that the job accepts their keys
 * and the README documents them.
 */
final class OperatorOptionClasses {

    static List<Class<?>> classes() {
        return List.of(FetchOptions.class, InferenceOptions.class, FewShotOptions.class, ResultMergeOptions.class);
    }

    private OperatorOptionClasses() {}
}
