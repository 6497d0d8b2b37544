package io.vlmtagger.operators.fetch;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Collections;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.deadletter.OutcomeRouter;
import io.vlmtagger.operators.records.Outcome;
import io.vlmtagger.operators.stage.BudgetedAsyncWait;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.InlineImage;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * The fetch stage: gets the image bytes of each {@link ImageTask} through a {@link FetchClient}
 * created in {@code open()}, and emits {@code Outcome.ok(task with imageBytes/imageSha256)} or
 * {@code Outcome.failed(deadLetter)} with stage FETCH and the {@link FetchFailure} code as reason.
 * The operator's timeout also becomes a dead letter ({@code fetch_timeout}), never a job failure.
 * Follow it with {@link OutcomeRouter} to split values from dead letters; wire it with {@link
 * #apply}, which bounds the fetches in flight by count and by bytes:
 *
 * <pre>{@code
 * DataStream<Outcome<ImageTask>> fetched = AsyncFetchFunction.apply(tasks, FetcherOptions.fromConfig(config));
 * SingleOutputStreamOperator<ImageTask> withBytes = fetched.process(OutcomeRouter.of(ImageTask.class));
 * }</pre>
 *
 * Metrics: {@code fetch_ok_total}, {@code fetch_dead_letters_total}, {@code fetch_bytes_total}.
 */
public class AsyncFetchFunction extends RichAsyncFunction<ImageTask, Outcome<ImageTask>> {
    private static final long serialVersionUID = 1L;

    public static final TypeInformation<Outcome<ImageTask>> OUTPUT_TYPE =
            TypeInformation.of(new TypeHint<Outcome<ImageTask>>() {});

    /** Builds the client on the task manager; must be serializable. */
    @FunctionalInterface
    public interface ClientFactory extends Serializable {
        FetchClient create() throws Exception;
    }

    private final ClientFactory clientFactory;
    private final Clock clock;
    private final int maxDeadLetterBytes;

    private transient FetchClient client;
    private transient Counter ok;
    private transient Counter failed;
    private transient Counter bytes;

    /**
     * Wires a fetch stage behind {@code input}: unordered, at most {@code options.capacity()}
     * fetches and {@code options.maxInFlightBytes()} in flight (an inline image counts its bytes, a
     * URI fetch reserves {@code options.maxBytes()} until it completes), Flink's timeout twice the
     * fetch timeout plus a second (a backstop: the fetcher's own timeout fires first).
     */
    public static SingleOutputStreamOperator<Outcome<ImageTask>> apply(DataStream<ImageTask> input,
            FetcherOptions options) {
        long uriReservation = options.maxBytes();
        return BudgetedAsyncWait.unorderedWait(input, new AsyncFetchFunction(options),
                options.readTimeout().multipliedBy(2).plusSeconds(1), options.capacity(), options.maxInFlightBytes(),
                task -> task.sizeBytes() + (task.event.getImage() instanceof ImageRef ? uriReservation : 0L),
                OUTPUT_TYPE);
    }

    /** Fetches with an {@link ImageFetcher} built from {@code options}. */
    public AsyncFetchFunction(FetcherOptions options) {
        this(new ImageFetcherFactory(options), Clock.systemUTC(), DeadLetters.DEFAULT_MAX_ORIGINAL_BYTES);
    }

    /** @param clock gives {@code DeadLetter.failedAt}; must be serializable */
    public AsyncFetchFunction(ClientFactory clientFactory, Clock clock, int maxDeadLetterBytes) {
        this.clientFactory = Objects.requireNonNull(clientFactory, "clientFactory");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxDeadLetterBytes = maxDeadLetterBytes;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        client = clientFactory.create();
        ok = getRuntimeContext().getMetricGroup().counter("fetch_ok_total");
        failed = getRuntimeContext().getMetricGroup().counter("fetch_dead_letters_total");
        bytes = getRuntimeContext().getMetricGroup().counter("fetch_bytes_total");
    }

    @Override
    public void asyncInvoke(ImageTask task, ResultFuture<Outcome<ImageTask>> resultFuture) {
        CompletableFuture<FetchedImage> future;
        try {
            future = client.fetch(task.event);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        future.whenComplete((image, error) -> {
            if (error == null) {
                ok.inc();
                bytes.inc(image.bytes().length);
                resultFuture.complete(Collections.singleton(Outcome.ok(withImage(task, image))));
            } else {
                FetchException fe = FetchException.find(error);
                String reason = fe == null ? FetchFailure.IO_ERROR.code() : fe.failure().code();
                resultFuture.complete(Collections.singleton(Outcome.failed(deadLetter(task, reason, error))));
            }
        });
    }

    @Override
    public void timeout(ImageTask task, ResultFuture<Outcome<ImageTask>> resultFuture) {
        resultFuture.complete(Collections.singleton(Outcome.failed(deadLetter(task, FetchFailure.TIMEOUT.code(),
                new FetchException(FetchFailure.TIMEOUT, "the async fetch operator timed out")))));
    }

    @Override
    public void close() throws Exception {
        if (client != null) {
            client.close();
        }
    }

    private DeadLetter deadLetter(ImageTask task, String reason, Throwable error) {
        failed.inc();
        FetchException fe = FetchException.find(error);
        return DeadLetters.forTask(task).setStage(FailureStage.FETCH).setReason(reason)
                .optError(fe != null ? fe : error).optClock(clock).optMaxOriginalBytes(maxDeadLetterBytes).build();
    }

    /**
     * A copy, so that a late completion never mutates an element that was already emitted. An
     * inline image's bytes are kept once: in {@code imageBytes}, with the event's copy of them
     * dropped (its other fields shared), so that the stages after this one hold and checkpoint the
     * image once. {@link DeadLetters} puts them back into the event it writes for replay.
     */
    static ImageTask withImage(ImageTask task, FetchedImage image) {
        ImageEvent event = task.event;
        if (event.getImage() instanceof InlineImage inline) {
            ImageEvent shallow = new ImageEvent();
            for (int i = 0; i < event.getSchema().getFields().size(); i++) {
                shallow.put(i, event.get(i));
            }
            shallow.setImage(new InlineImage(ByteBuffer.allocate(0), inline.getContentType()));
            event = shallow;
        }
        ImageTask copy = new ImageTask(event, task.topic, task.partition, task.offset, task.receivedAtMs);
        copy.key = task.key;
        copy.imageBytes = image.bytes();
        copy.imageSha256 = image.sha256();
        return copy;
    }

    /** The default factory. */
    static final class ImageFetcherFactory implements ClientFactory {
        private static final long serialVersionUID = 1L;
        private final FetcherOptions options;

        ImageFetcherFactory(FetcherOptions options) {
            this.options = Objects.requireNonNull(options, "options");
        }

        @Override
        public FetchClient create() {
            return new ImageFetcher(options);
        }
    }
}
