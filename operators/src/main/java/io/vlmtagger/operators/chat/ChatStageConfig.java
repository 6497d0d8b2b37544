package io.vlmtagger.operators.chat;

import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.operators.runtime.BatchSchedulerFactory;
import io.vlmtagger.operators.runtime.ModelProvider;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.operators.stage.InferenceSettings;

import java.io.Serializable;
import java.time.Clock;

/** What {@link ChatOperatorFactory.Builder} resolved, shipped with the factory to every {@link ChatOperator}. */
record ChatStageConfig(ModelProvider<VisualChatModel> modelProvider, ModelSpec modelSpec, InferenceSettings settings,
        BatchSchedulerFactory schedulerFactory, Clock clock) implements Serializable {}
