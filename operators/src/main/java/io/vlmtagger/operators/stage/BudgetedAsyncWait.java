package io.vlmtagger.operators.stage;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.async.AsyncFunction;
import org.apache.flink.streaming.util.retryable.AsyncRetryStrategies;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.legacy.YieldingOperatorFactory;

import java.time.Duration;

/**
 * {@code AsyncDataStream.unorderedWait} with a bound on the bytes in flight besides the count:
 * a subtask holds at most {@code maxBytes} of inputs (as {@code sizer} measures them) in its heap
 * and its checkpointed state, and takes no more input until some complete (backpressure; an input
 * larger than the budget is admitted alone). Gauges {@code in_flight_bytes} and {@code
 * in_flight_bytes_peak}. Used by the fetch and caption stages.
 */
@Internal
public final class BudgetedAsyncWait {
    private BudgetedAsyncWait() {}

    public static <IN, OUT> SingleOutputStreamOperator<OUT> unorderedWait(DataStream<IN> input,
            AsyncFunction<IN, OUT> function, Duration timeout, int capacity, long maxBytes, InFlightSizer<IN> sizer,
            TypeInformation<OUT> outputType) {
        return input.transform("async wait operator", outputType,
                new Factory<>(function, timeout.toMillis(), capacity, maxBytes, sizer));
    }

    /** Creates the operator with a fresh budget and the task's mailbox. */
    static final class Factory<IN, OUT> extends AbstractStreamOperatorFactory<OUT>
            implements OneInputStreamOperatorFactory<IN, OUT>, YieldingOperatorFactory<OUT> {
        private static final long serialVersionUID = 1L;

        private final AsyncFunction<IN, OUT> function;
        private final long timeoutMs;
        private final int capacity;
        private final long maxBytes;
        private final InFlightSizer<IN> sizer;

        Factory(AsyncFunction<IN, OUT> function, long timeoutMs, int capacity, long maxBytes, InFlightSizer<IN> sizer) {
            this.function = function;
            this.timeoutMs = timeoutMs;
            this.capacity = capacity;
            this.maxBytes = maxBytes;
            this.sizer = sizer;
            this.chainingStrategy = ChainingStrategy.ALWAYS;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T extends StreamOperator<OUT>> T createStreamOperator(StreamOperatorParameters<OUT> parameters) {
            InFlightBudget budget = new InFlightBudget(Integer.MAX_VALUE, maxBytes, getMailboxExecutor());
            ReleasingAsyncFunction<IN, OUT> releasing = new ReleasingAsyncFunction<>(function, sizer);
            releasing.setBudget(budget);
            return (T) new BudgetedAsyncWaitOperator<>(parameters, releasing, timeoutMs, capacity,
                    AsyncDataStream.OutputMode.UNORDERED, AsyncRetryStrategies.NO_RETRY_STRATEGY, processingTimeService,
                    getMailboxExecutor(), budget, sizer);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
            return BudgetedAsyncWaitOperator.class;
        }
    }
}
