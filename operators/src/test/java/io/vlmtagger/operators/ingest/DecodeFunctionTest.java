package io.vlmtagger.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;
import io.vlmtagger.schemas.flink.RawKafkaRecord;
import io.vlmtagger.schemas.serde.AvroCodec;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class DecodeFunctionTest {
    private static final AvroCodec<ImageEvent> CODEC = AvroCodec.of(ImageEvent.class);
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(777), ZoneOffset.UTC);

    static ImageEvent.Builder event(String id) {
        return ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.EPOCH).setSource("test")
                .setImage(InlineImage.newBuilder().setData(ByteBuffer.wrap(new byte[] {1, 2})).setContentType(null).build())
                .setTasks(List.of(TaskType.CAPTION)).setQuestion(null).setConversationId(null).setAttributes(Map.of());
    }

    private static RawKafkaRecord raw(long offset, byte[] value) {
        return new RawKafkaRecord("images", 1, offset, 10L, 20L, null, value);
    }

    private OneInputStreamOperatorTestHarness<RawKafkaRecord, ImageTask> harness(DecodeFunction fn) throws Exception {
        OneInputStreamOperatorTestHarness<RawKafkaRecord, ImageTask> h = ProcessFunctionTestHarnesses.forProcessFunction(fn);
        h.open();
        return h;
    }

    private static List<DeadLetter> deadLetters(OneInputStreamOperatorTestHarness<?, ?> h) {
        if (h.getSideOutput(DeadLetters.TAG) == null) {
            return List.of();
        }
        return h.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    @Test
    void validEventsBecomeTasksWithTheirKafkaCoordinates() throws Exception {
        var h = harness(DecodeFunction.builder().optClock(CLOCK).build());
        ImageEvent e = event("ok-1").build();
        h.processElement(raw(5, CODEC.encode(e)), 0L);

        List<ImageTask> out = h.extractOutputValues();
        assertThat(out).hasSize(1);
        ImageTask t = out.get(0);
        assertThat(t.event).isEqualTo(e);
        assertThat(t.topic).isEqualTo("images");
        assertThat(t.partition).isEqualTo(1);
        assertThat(t.offset).isEqualTo(5L);
        assertThat(t.receivedAtMs).isEqualTo(20L);
        assertThat(t.imageBytes).isNull();
        assertThat(deadLetters(h)).isEmpty();
    }

    @Test
    void everyKindOfBadRecordBecomesADeadLetterWithASpecificReason() throws Exception {
        var h = harness(DecodeFunction.builder().optClock(CLOCK).optMaxRecordBytes(4096).build());
        byte[] valid = CODEC.encode(event("x").build());
        byte[] truncated = java.util.Arrays.copyOf(valid, valid.length - 3);

        List<byte[]> inputs = new ArrayList<>();
        inputs.add(null);                                                        // 0 empty_record
        inputs.add(new byte[5000]);                                              // 1 oversized_record
        inputs.add("{\"json\":true}".getBytes(StandardCharsets.UTF_8));          // 2 unknown_schema
        inputs.add(truncated);                                                   // 3 avro_decode_error
        inputs.add(CODEC.encode(event(" ").build()));                            // 4 missing_field
        inputs.add(CODEC.encode(event("c").setTasks(List.of(TaskType.CAPTION, TaskType.CHAT)).build())); // 5
        inputs.add(CODEC.encode(event("u").setTasks(List.of(TaskType.UNKNOWN)).build()));                // 6
        inputs.add(CODEC.encode(event("s").setImage(ImageRef.newBuilder().setUri("file:///a").setSha256("xyz")
                .build()).build()));                                             // 7 invalid_field
        inputs.add(CODEC.encode(event("n").setTasks(List.of()).build()));        // 8 missing_field
        for (int i = 0; i < inputs.size(); i++) {
            h.processElement(raw(i, inputs.get(i)), 0L);
        }

        assertThat(h.extractOutputValues()).isEmpty();
        List<DeadLetter> dls = deadLetters(h);
        assertThat(dls).extracting(DeadLetter::getReason).containsExactly("empty_record", "oversized_record",
                "unknown_schema", "avro_decode_error", "missing_field", "missing_question", "unknown_task",
                "invalid_field", "missing_field");
        assertThat(dls).extracting(DeadLetter::getStage).containsOnly(FailureStage.DECODE);
        assertThat(dls).extracting(DeadLetter::getOffset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(dls).extracting(DeadLetter::getFailedAt).containsOnly(Instant.ofEpochMilli(777));
        assertThat(dls.get(0).getOriginalBytes()).isNull();
        assertThat(dls.get(2).getOriginalBytes().remaining()).isEqualTo(13);
        assertThat(dls.get(3).getErrorClass()).endsWith("AvroDecodeException");
        assertThat(dls.get(4).getEventId()).isNull();
        assertThat(dls.get(5).getEventId()).isEqualTo("c");
        assertThat(dls.get(5).getErrorMessage()).contains("question");
    }

    @Test
    void aNewerProducerIsReadOnlyOnceItsSchemaIsConfigured() throws Exception {
        String json = ImageEvent.getClassSchema().toString();
        int end = json.lastIndexOf(']');
        Schema v2 = new Schema.Parser().parse(json.substring(0, end)
                + ",{\"name\":\"priority\",\"type\":\"int\",\"default\":0}" + json.substring(end));
        GenericRecord image = new GenericData.Record(v2.getField("image").schema().getTypes().get(1));
        image.put("uri", "file:///data/x.png");
        image.put("sha256", null);
        GenericRecord e = new GenericData.Record(v2);
        e.put("eventId", "v2");
        e.put("eventTime", 1L);
        e.put("source", "new");
        e.put("image", image);
        e.put("tasks", List.of(new GenericData.EnumSymbol(v2.getField("tasks").schema().getElementType(), "CAPTION")));
        e.put("question", null);
        e.put("conversationId", null);
        e.put("attributes", Map.of());
        e.put("priority", 3);
        ByteBuffer buf = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(e);
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);

        var strict = harness(DecodeFunction.builder().build());
        strict.processElement(raw(0, bytes), 0L);
        assertThat(deadLetters(strict)).extracting(DeadLetter::getReason).containsExactly("unknown_schema");

        var tolerant = harness(DecodeFunction.builder().optWriterSchema(v2.toString()).build());
        tolerant.processElement(raw(0, bytes), 0L);
        assertThat(tolerant.extractOutputValues()).extracting(ImageTask::eventId).containsExactly("v2");
    }

    @Test
    void theRecordsKafkaKeyTravelsWithTheTaskAndIntoDeadLetters() throws Exception {
        var h = harness(DecodeFunction.builder().optClock(CLOCK).build());
        byte[] key = "producer-key-1".getBytes(StandardCharsets.UTF_8);
        h.processElement(new RawKafkaRecord("images", 0, 1, 10L, 20L, key, CODEC.encode(event("k").build())), 0L);
        h.processElement(new RawKafkaRecord("images", 0, 2, 10L, 20L, key, "garbage".getBytes(StandardCharsets.UTF_8)), 0L);

        assertThat(h.extractOutputValues()).singleElement().satisfies(t -> assertThat(t.key).containsExactly(key));
        DeadLetter dl = deadLetters(h).get(0);
        assertThat(dl.getEventId()).isNull();
        assertThat(dl.getKafkaKey().array()).containsExactly(key);
        // later stages build their dead letters from the task: the key is there too
        DeadLetter later = DeadLetters.forTask(h.extractOutputValues().get(0)).setStage(FailureStage.FETCH)
                .setReason("fetch_timeout").build();
        assertThat(later.getKafkaKey().array()).containsExactly(key);
    }

    @Test
    void aTaskOfANewerProducerIsIgnoredNextToKnownOnes() throws Exception {
        var h = harness(DecodeFunction.builder().optClock(CLOCK).build());
        h.processElement(raw(0, CODEC.encode(event("both").setTasks(List.of(TaskType.UNKNOWN, TaskType.CAPTION)).build())), 0L);
        h.processElement(raw(1, CODEC.encode(event("only").setTasks(List.of(TaskType.UNKNOWN)).build())), 0L);

        assertThat(h.extractOutputValues()).extracting(ImageTask::eventId).containsExactly("both");
        assertThat(deadLetters(h)).extracting(DeadLetter::getReason).containsExactly("unknown_task");
        assertThat(deadLetters(h).get(0).getErrorMessage()).contains("no requested task is known");
    }

    @Test
    void writerSchemasRegisteredInADirectoryAreReadWithoutRebuildingTheFunction(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        String json = ImageEvent.getClassSchema().toString();
        Schema newer = new Schema.Parser().parse(json.replace("\"UNKNOWN\"]", "\"UNKNOWN\",\"DETECT\"]"));
        GenericRecord image = new GenericData.Record(newer.getField("image").schema().getTypes().get(0));
        image.put("data", ByteBuffer.wrap(new byte[] {1}));
        image.put("contentType", null);
        GenericRecord e = new GenericData.Record(newer);
        Schema taskType = newer.getField("tasks").schema().getElementType();
        e.put("eventId", "newer");
        e.put("eventTime", 1L);
        e.put("source", "s");
        e.put("image", image);
        e.put("tasks", List.of(new GenericData.EnumSymbol(taskType, "DETECT"), new GenericData.EnumSymbol(taskType, "CAPTION")));
        e.put("question", null);
        e.put("conversationId", null);
        e.put("attributes", Map.of());
        ByteBuffer buf = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newer).encode(e);
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);

        var h = harness(DecodeFunction.builder()
                .optWriterSchemas(io.vlmtagger.schemas.writers.WriterSchemaSources.none().withDirectory(dir)
                        .withRetryInterval(java.time.Duration.ZERO)).build());
        h.processElement(raw(0, bytes), 0L);
        assertThat(deadLetters(h)).extracting(DeadLetter::getReason).containsExactly("unknown_schema");

        java.nio.file.Files.writeString(dir.resolve("image-event-newer.avsc"), newer.toString(true));
        h.processElement(raw(1, bytes), 0L);
        assertThat(h.extractOutputValues()).singleElement()
                .satisfies(t -> assertThat(t.event.getTasks()).containsExactly(TaskType.UNKNOWN, TaskType.CAPTION));
        h.close();
    }
}
