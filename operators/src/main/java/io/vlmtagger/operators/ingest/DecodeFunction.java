package io.vlmtagger.operators.ingest;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.flink.RawKafkaRecord;
import io.vlmtagger.schemas.serde.AvroCodec;
import io.vlmtagger.schemas.serde.AvroDecodeException;
import io.vlmtagger.schemas.writers.WriterSchemaSources;
import io.vlmtagger.schemas.writers.WriterSchemaStore;
import org.apache.avro.Schema;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The ingest stage: raw Kafka record -> {@link ImageTask}, or a {@link DeadLetter} (stage DECODE)
 * on {@link DeadLetters#TAG}. Never throws for bad input. Reasons: {@code empty_record} (null value),
 * {@code oversized_record}, {@code unknown_schema}, {@code avro_decode_error}, and the validation
 * reasons of {@link EventValidator} ({@code missing_field}, {@code invalid_field},
 * {@code unknown_task}, {@code missing_question}), and {@code incompatible_schema} for a registered
 * writer schema the job cannot read. Dead letters keep the record's Kafka key ({@code kafkaKey}).
 *
 * <p>Writer schemas: the codec reads this build's ImageEvent schema and every released version
 * (shipped history); {@link Builder#optWriterSchemas} adds a directory and/or topic where producers
 * register theirs, looked up again when a record carries an unknown fingerprint (see
 * {@link WriterSchemaStore}).
 *
 * <pre>{@code
 * SingleOutputStreamOperator<ImageTask> tasks = raw.process(DecodeFunction.builder().build());
 * DataStream<DeadLetter> decodeFailures = tasks.getSideOutput(DeadLetters.TAG);
 * }</pre>
 *
 * Metrics: {@code ingest_records_decoded_total}, {@code ingest_dead_letters_total},
 * {@code ingest_unknown_tasks_total} (tasks of newer producers, ignored next to known ones).
 */
public class DecodeFunction extends ProcessFunction<RawKafkaRecord, ImageTask> {
    private static final long serialVersionUID = 1L;

    public static final String EMPTY_RECORD = "empty_record";
    public static final String OVERSIZED_RECORD = "oversized_record";
    /** Default record limit: 16 MiB, above Kafka's default 1 MiB but far below heap trouble. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

    private final int maxRecordBytes;
    private final int maxDeadLetterBytes;
    private final Clock clock;
    private final List<String> writerSchemas;
    private final WriterSchemaSources writerSchemaSources;
    private final EventValidator validator = new EventValidator();

    private transient AvroCodec<ImageEvent> codec;
    private transient WriterSchemaStore store;
    private transient Counter decoded;
    private transient Counter deadLettered;
    private transient Counter unknownTasks;

    private DecodeFunction(Builder b) {
        this.maxRecordBytes = b.maxRecordBytes;
        this.maxDeadLetterBytes = b.maxDeadLetterBytes;
        this.clock = b.clock;
        this.writerSchemas = new ArrayList<>(b.writerSchemas);
        this.writerSchemaSources = b.writerSchemaSources;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void open(OpenContext openContext) {
        List<Schema> schemas = new ArrayList<>();
        for (String json : writerSchemas) {
            schemas.add(new Schema.Parser().parse(json));
        }
        if (writerSchemaSources.isEmpty()) {
            codec = AvroCodec.of(ImageEvent.class, schemas);
        } else {
            store = writerSchemaSources.open(ImageEvent.getClassSchema());
            codec = AvroCodec.of(ImageEvent.class, schemas, store);
        }
        decoded = getRuntimeContext().getMetricGroup().counter("ingest_records_decoded_total");
        deadLettered = getRuntimeContext().getMetricGroup().counter("ingest_dead_letters_total");
        unknownTasks = getRuntimeContext().getMetricGroup().counter("ingest_unknown_tasks_total");
    }

    @Override
    public void close() throws Exception {
        if (store != null) {
            store.close();
            store = null;
        }
        super.close();
    }

    @Override
    public void processElement(RawKafkaRecord raw, Context ctx, Collector<ImageTask> out) {
        if (raw.value == null) {
            deadLetter(ctx, raw, EMPTY_RECORD, "record has no value (tombstone)", null, null);
            return;
        }
        if (raw.value.length > maxRecordBytes) {
            deadLetter(ctx, raw, OVERSIZED_RECORD, "record of " + raw.value.length + " bytes exceeds the limit of "
                    + maxRecordBytes + " bytes", null, null);
            return;
        }
        ImageEvent event;
        try {
            event = codec.decode(raw.value);
        } catch (AvroDecodeException e) {
            deadLetter(ctx, raw, e.reason().code(), null, e, null);
            return;
        }
        EventValidator.Violation violation = validator.validate(event);
        if (violation != null) {
            String id = event.getEventId() == null || event.getEventId().isBlank() ? null : event.getEventId();
            deadLetter(ctx, raw, violation.reason, violation.message, null, id);
            return;
        }
        decoded.inc();
        unknownTasks.inc(EventValidator.unknownTasks(event));
        ImageTask task = new ImageTask(event, raw.topic, raw.partition, raw.offset, raw.receivedAtMs);
        task.key = raw.key;
        out.collect(task);
    }

    private void deadLetter(Context ctx, RawKafkaRecord raw, String reason, String message, Throwable error,
                            String eventId) {
        deadLettered.inc();
        ctx.output(DeadLetters.TAG, DeadLetters.forRaw(raw).setStage(FailureStage.DECODE).setReason(reason)
                .optMessage(message).optError(error).optEventId(eventId).optClock(clock)
                .optMaxOriginalBytes(maxDeadLetterBytes).build());
    }

    /** Builder: every setting is optional. */
    public static final class Builder {
        private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
        private int maxDeadLetterBytes = DeadLetters.DEFAULT_MAX_ORIGINAL_BYTES;
        private Clock clock = Clock.systemUTC();
        private final List<String> writerSchemas = new ArrayList<>();
        private WriterSchemaSources writerSchemaSources = WriterSchemaSources.none();

        private Builder() {}

        /** Records with a larger value are dead-lettered as {@code oversized_record}. */
        public Builder optMaxRecordBytes(int maxRecordBytes) {
            this.maxRecordBytes = maxRecordBytes;
            return this;
        }

        /** Cap on {@code DeadLetter.originalBytes}. */
        public Builder optMaxDeadLetterBytes(int maxDeadLetterBytes) {
            this.maxDeadLetterBytes = maxDeadLetterBytes;
            return this;
        }

        /** Gives {@code DeadLetter.failedAt}; must be serializable (system and fixed clocks are). */
        public Builder optClock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Extra ImageEvent writer schemas (JSON) this job accepts, e.g. from newer producers. */
        public Builder optWriterSchema(String schemaJson) {
            new Schema.Parser().parse(schemaJson); // fail at build time, not in open()
            writerSchemas.add(schemaJson);
            return this;
        }

        /** Where producers register their ImageEvent writer schemas (a directory, a topic). */
        public Builder optWriterSchemas(WriterSchemaSources sources) {
            this.writerSchemaSources = java.util.Objects.requireNonNull(sources, "sources (WriterSchemaSources.none() for none)");
            return this;
        }

        public DecodeFunction build() {
            if (maxRecordBytes <= 0) {
                throw new IllegalArgumentException("optMaxRecordBytes must be > 0, got " + maxRecordBytes);
            }
            if (maxDeadLetterBytes < 0) {
                throw new IllegalArgumentException("optMaxDeadLetterBytes must be >= 0, got " + maxDeadLetterBytes);
            }
            if (clock == null) {
                throw new IllegalArgumentException("optClock must not be null");
            }
            return new DecodeFunction(this);
        }
    }
}
