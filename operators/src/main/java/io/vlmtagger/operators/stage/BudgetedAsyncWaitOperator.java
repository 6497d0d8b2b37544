package io.vlmtagger.operators.stage;

import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.functions.async.AsyncRetryStrategy;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

/**
 * Flink's {@link AsyncWaitOperator} with an {@link InFlightBudget} of bytes in front of its own
 * count bound: {@link #processElement} (also what re-submits restored elements in {@code open()})
 * yields to the mailbox until the element's bytes fit, as the operator itself does while its
 * queue is full. Builds on an {@code @Internal} Flink class: its constructor and {@code
 * processElement} are what this relies on (checked with Flink 2.2).
 */
final class BudgetedAsyncWaitOperator<IN, OUT> extends AsyncWaitOperator<IN, OUT> {
    private static final long serialVersionUID = 1L;

    private final transient InFlightBudget budget;
    private final InFlightSizer<IN> sizer;

    BudgetedAsyncWaitOperator(StreamOperatorParameters<OUT> parameters, ReleasingAsyncFunction<IN, OUT> function,
            long timeout, int capacity, AsyncDataStream.OutputMode mode, AsyncRetryStrategy<OUT> retries,
            ProcessingTimeService time, MailboxExecutor mailbox, InFlightBudget budget, InFlightSizer<IN> sizer) {
        super(parameters, function, timeout, capacity, mode, retries, time, mailbox);
        this.budget = budget;
        this.sizer = sizer;
    }

    @Override
    public void open() throws Exception {
        budget.registerGauges(getMetricGroup());
        super.open();
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        budget.admit(sizer.sizeBytes(element.getValue()));
        super.processElement(element);
    }
}
