package io.vlmtagger.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.TaskType;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * The evolution rules of schemas/README.md, checked on example changes (the shipped history of
 * released versions is checked by {@link SchemaHistoryTest}), and the codec reads records from
 * writers one version apart in both directions.
 */
class SchemaEvolutionTest {
    @Test
    void aFieldAddedWithADefaultIsCompatibleBothWays() {
        Schema v1 = ImageEvent.getClassSchema();
        Schema v2 = withExtraField(v1, "{\"name\":\"priority\",\"type\":\"int\",\"default\":0}");
        assertCompatible(v2, v1, "new reader, old writer");
        assertCompatible(v1, v2, "old reader, new writer");
    }

    @Test
    void aFieldAddedWithoutADefaultBreaksBackwardCompatibility() {
        Schema v1 = ImageEvent.getClassSchema();
        Schema v2 = withExtraField(v1, "{\"name\":\"priority\",\"type\":\"int\"}");
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(v2, v1).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void aRemovedRequiredFieldBreaksForwardCompatibility() {
        Schema v1 = ImageEvent.getClassSchema();
        List<Schema.Field> kept = v1.getFields().stream().filter(f -> !f.name().equals("source"))
                .map(f -> new Schema.Field(f, f.schema())).collect(Collectors.toList());
        Schema v2 = Schema.createRecord(v1.getName(), v1.getDoc(), v1.getNamespace(), false, kept);
        assertThat(v2.getField("source")).isNull();
        // an old reader needs "source" and v2 data does not carry it
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(v1, v2).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void codecReadsANewerWriterOnceItsSchemaIsRegistered() throws Exception {
        Schema v2 = withExtraField(ImageEvent.getClassSchema(), "{\"name\":\"priority\",\"type\":\"int\",\"default\":0}");
        GenericRecord image = new GenericData.Record(v2.getField("image").schema().getTypes().get(1));
        image.put("uri", "file:///data/a.png");
        image.put("sha256", null);
        GenericRecord event = new GenericData.Record(v2);
        event.put("eventId", "v2-event");
        event.put("eventTime", Instant.ofEpochMilli(5).toEpochMilli());
        event.put("source", "new-producer");
        event.put("image", image);
        event.put("tasks", List.of(new GenericData.EnumSymbol(v2.getField("tasks").schema().getElementType(), "CAPTION")));
        event.put("question", null);
        event.put("conversationId", null);
        event.put("attributes", Map.of());
        event.put("priority", 7);
        ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(event);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);

        AvroDecodeException unknown = catchThrowableOfType(AvroDecodeException.class,
                () -> AvroCodec.of(ImageEvent.class).decode(bytes));
        assertThat(unknown.reason()).isEqualTo(AvroDecodeException.Reason.UNKNOWN_SCHEMA);

        ImageEvent decoded = AvroCodec.of(ImageEvent.class, List.of(v2)).decode(bytes);
        assertThat(decoded.getEventId()).isEqualTo("v2-event");
        assertThat(decoded.getSource()).isEqualTo("new-producer");
        assertThat(decoded.getTasks()).containsExactly(TaskType.CAPTION);
    }

    @Test
    void aTaskAddedByANewerProducerIsReadAsUnknown() throws Exception {
        Schema v2 = new Schema.Parser().parse(ImageEvent.getClassSchema().toString()
                .replace("\"CAPTION\",\"CHAT\",\"FEW_SHOT_TAGS\",\"UNKNOWN\"]",
                        "\"CAPTION\",\"CHAT\",\"FEW_SHOT_TAGS\",\"UNKNOWN\",\"DETECT\"]"));
        Schema taskType = v2.getField("tasks").schema().getElementType();
        assertThat(taskType.getEnumSymbols()).contains("DETECT");
        assertCompatible(ImageEvent.getClassSchema(), v2, "old reader, writer with a new enum symbol");

        GenericRecord image = new GenericData.Record(v2.getField("image").schema().getTypes().get(1));
        image.put("uri", "file:///data/a.png");
        image.put("sha256", null);
        GenericRecord event = new GenericData.Record(v2);
        event.put("eventId", "detect-1");
        event.put("eventTime", 5L);
        event.put("source", "new-producer");
        event.put("image", image);
        event.put("tasks", List.of(new GenericData.EnumSymbol(taskType, "DETECT"),
                new GenericData.EnumSymbol(taskType, "CAPTION")));
        event.put("question", null);
        event.put("conversationId", null);
        event.put("attributes", Map.of());
        ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(event);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);

        ImageEvent decoded = AvroCodec.of(ImageEvent.class, List.of(v2)).decode(bytes);
        assertThat(decoded.getTasks()).containsExactly(TaskType.UNKNOWN, TaskType.CAPTION);
    }

    @Test
    void codecReadsV1WritersWithTheCurrentReader() throws Exception {
        Schema v1 = SchemaHistory.of(ImageEvent.class).get(0).schema();
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class, List.of(v1));
        ImageEvent e = TestEvents.ref("e", "file:///x.png");
        assertThat(codec.decode(codec.encode(e))).isEqualTo(e);
    }

    private static Schema withExtraField(Schema base, String fieldJson) {
        String json = base.toString();
        int end = json.lastIndexOf(']');
        return new Schema.Parser().parse(json.substring(0, end) + "," + fieldJson + json.substring(end));
    }

    private static void assertCompatible(Schema reader, Schema writer, String what) {
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        assertThat(result.getType()).as(what + ": " + result.getDescription())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

}
