package io.vlmtagger.operators.chat;

import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.operators.runtime.BatchSchedulerFactory;
import io.vlmtagger.operators.stage.InferenceOperatorFactory;
import io.vlmtagger.operators.stage.InferenceSettings;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.runtime.ModelProvider;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.schemas.ChatAnswer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

import java.time.Clock;

/**
 * Creates {@link ChatOperator}s with the task's mailbox executor (through which answers come back
 * to the task thread). Use {@link #apply} to wire it: keyed by conversation id.
 */
public final class ChatOperatorFactory extends InferenceOperatorFactory<ChatAnswer>
        implements OneInputStreamOperatorFactory<ImageTask, ChatAnswer> {
    private static final long serialVersionUID = 1L;

    final ChatStageConfig config;

    private ChatOperatorFactory(ChatStageConfig config) {
        super(ChatOperator.class);
        this.config = config;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Keys {@code questions} by conversation id and runs the chat operator; side outputs on the result. */
    public static SingleOutputStreamOperator<ChatAnswer> apply(DataStream<ImageTask> questions, ChatOperatorFactory factory) {
        return questions.keyBy(ChatKeys.BY_CONVERSATION)
                .transform("chat", TypeInformation.of(ChatAnswer.class), factory)
                .uid("chat");
    }

    @Override
    protected StreamOperator<ChatAnswer> create(StreamOperatorParameters<ChatAnswer> parameters, MailboxExecutor mailbox) {
        return new ChatOperator(parameters, config, mailbox);
    }

    /** Builder: model provider and spec required. */
    public static final class Builder {
        private ModelProvider<VisualChatModel> modelProvider;
        private ModelSpec modelSpec;
        private InferenceSettings settings = InferenceSettings.defaults();
        private BatchSchedulerFactory schedulerFactory = BatchSchedulerFactory.system();
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder setModelProvider(ModelProvider<VisualChatModel> provider) { this.modelProvider = provider; return this; }
        public Builder setModelSpec(ModelSpec spec) { this.modelSpec = spec; return this; }
        public Builder optSettings(InferenceSettings settings) { this.settings = settings; return this; }
        public Builder optSchedulerFactory(BatchSchedulerFactory factory) { this.schedulerFactory = factory; return this; }
        public Builder optClock(Clock clock) { this.clock = clock; return this; }

        public ChatOperatorFactory build() {
            if (modelProvider == null) {
                throw new IllegalArgumentException("ChatOperatorFactory needs a model provider: call setModelProvider(...)");
            }
            if (modelSpec == null) {
                throw new IllegalArgumentException("ChatOperatorFactory needs the LLaVA checkpoint: call setModelSpec(ModelSpec.of(dir))");
            }
            if (settings == null || schedulerFactory == null || clock == null) {
                throw new IllegalArgumentException("settings, scheduler factory and clock must not be null; omit the opt call for the default");
            }
            return new ChatOperatorFactory(new ChatStageConfig(modelProvider, modelSpec, settings, schedulerFactory, clock));
        }
    }
}
