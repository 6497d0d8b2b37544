package io.vlmtagger.operators.stage;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.legacy.YieldingOperatorFactory;

/**
 * Creates an {@link InferenceOperator} with the task's mailbox executor, through which its
 * outcomes come back to the task thread.
 */
@Internal
public abstract class InferenceOperatorFactory<OUT> extends AbstractStreamOperatorFactory<OUT>
        implements YieldingOperatorFactory<OUT> {
    private static final long serialVersionUID = 1L;

    private final Class<? extends StreamOperator<?>> operatorClass;

    protected InferenceOperatorFactory(Class<? extends StreamOperator<?>> operatorClass) {
        this.operatorClass = operatorClass;
    }

    /** The operator for {@code parameters}. */
    protected abstract StreamOperator<OUT> create(StreamOperatorParameters<OUT> parameters, MailboxExecutor mailbox);

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<OUT>> T createStreamOperator(StreamOperatorParameters<OUT> parameters) {
        return (T) create(parameters, getMailboxExecutor());
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return operatorClass;
    }
}
