package io.vlmtagger.operators.fewshot;

import io.vlmtagger.models.api.FewShotTagger;
import io.vlmtagger.operators.runtime.BatchSchedulerFactory;
import io.vlmtagger.operators.runtime.ModelProvider;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.operators.stage.InferenceSettings;

import java.io.Serializable;
import java.time.Clock;

/** What {@link FewShotOperatorFactory.Builder} resolved, shipped with the factory to every {@link FewShotOperator}. */
record FewShotStageConfig(ModelProvider<FewShotTagger> provider, ModelSpec spec, InferenceSettings settings,
        BatchSchedulerFactory schedulerFactory, int maxExemplarsPerLabelSet, int maxLabelSets, long exemplarCacheBytes,
        String labelSetAttribute, String defaultLabelSet, Clock clock) implements Serializable {}
