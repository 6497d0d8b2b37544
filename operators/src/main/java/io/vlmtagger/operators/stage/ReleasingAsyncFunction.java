package io.vlmtagger.operators.stage;

import org.apache.flink.api.common.functions.AbstractRichFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.functions.util.FunctionUtils;
import org.apache.flink.streaming.api.functions.async.AsyncFunction;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wraps a stage's async function so that an input's bytes go back to the {@link InFlightBudget}
 * when its result future completes, once, before the completion reaches the operator (whose mail
 * wakes a task thread that waits for room). Flink hands {@code timeout} the same result future it
 * gave {@code asyncInvoke}, so both share one release. Forwards the rich-function lifecycle.
 */
final class ReleasingAsyncFunction<IN, OUT> extends AbstractRichFunction implements AsyncFunction<IN, OUT> {
    private static final long serialVersionUID = 1L;

    private final AsyncFunction<IN, OUT> delegate;
    private final InFlightSizer<IN> sizer;
    private transient InFlightBudget budget;
    private transient Map<ResultFuture<OUT>, Releasing> inFlight;

    ReleasingAsyncFunction(AsyncFunction<IN, OUT> delegate, InFlightSizer<IN> sizer) {
        this.delegate = delegate;
        this.sizer = sizer;
    }

    void setBudget(InFlightBudget budget) {
        this.budget = budget;
        this.inFlight = Collections.synchronizedMap(new IdentityHashMap<>());
    }

    @Override
    public void setRuntimeContext(RuntimeContext context) {
        super.setRuntimeContext(context);
        FunctionUtils.setFunctionRuntimeContext(delegate, context);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        FunctionUtils.openFunction(delegate, openContext);
    }

    @Override
    public void close() throws Exception {
        FunctionUtils.closeFunction(delegate);
    }

    @Override
    public void asyncInvoke(IN input, ResultFuture<OUT> resultFuture) throws Exception {
        Releasing releasing = new Releasing(resultFuture, sizer.sizeBytes(input));
        inFlight.put(resultFuture, releasing);
        delegate.asyncInvoke(input, releasing);
    }

    @Override
    public void timeout(IN input, ResultFuture<OUT> resultFuture) throws Exception {
        Releasing releasing = inFlight.get(resultFuture);
        delegate.timeout(input, releasing != null ? releasing : resultFuture);
    }

    /** Gives the bytes back on the first completion, then completes the operator's future. */
    private final class Releasing implements ResultFuture<OUT> {
        private final ResultFuture<OUT> target;
        private final long size;
        private final AtomicBoolean released = new AtomicBoolean();

        Releasing(ResultFuture<OUT> target, long size) {
            this.target = target;
            this.size = size;
        }

        private void release() {
            if (released.compareAndSet(false, true)) {
                inFlight.remove(target);
                budget.release(size);
            }
        }

        @Override
        public void complete(Collection<OUT> result) {
            release();
            target.complete(result);
        }

        @Override
        public void complete(CollectionSupplier<OUT> supplier) {
            release();
            target.complete(supplier);
        }

        @Override
        public void completeExceptionally(Throwable error) {
            release();
            target.completeExceptionally(error);
        }
    }
}
