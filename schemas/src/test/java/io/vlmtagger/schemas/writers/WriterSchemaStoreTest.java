package io.vlmtagger.schemas.writers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;

import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.TaskType;
import io.vlmtagger.schemas.serde.AvroCodec;
import io.vlmtagger.schemas.serde.AvroDecodeException;
import io.vlmtagger.schemas.serde.Fingerprints;
import io.vlmtagger.schemas.serde.SampleData;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writer schemas registered in a directory: producers one version ahead (a field added, optional
 * fields removed, a new enum symbol) are read without a restart, an incompatible one is refused
 * with the reason, and a bad file stops the start.
 */
class WriterSchemaStoreTest {
    private static final Schema READER = ImageEvent.getClassSchema();

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();

    @Test
    void producersWithAddedRemovedAndNewEnumSchemasAreReadOnceRegistered() throws Exception {
        Schema added = parse(READER.toString().replace("\"name\":\"attributes\"",
                "\"name\":\"priority\",\"type\":[\"null\",\"int\"],\"default\":null},{\"name\":\"attributes\""));
        Schema removed = withoutFields(READER, "attributes", "conversationId");
        Schema newEnum = parse(READER.toString().replace("\"UNKNOWN\"]", "\"UNKNOWN\",\"DETECT\"]"));
        Files.writeString(dir.resolve("added.avsc"), added.toString(true));
        Files.writeString(dir.resolve("removed.avsc"), removed.toString(true));
        Files.writeString(dir.resolve("new-enum.avsc"), newEnum.toString(true));
        Files.writeString(dir.resolve("other-record.avsc"), io.vlmtagger.schemas.Exemplar.getClassSchema().toString());
        Files.writeString(dir.resolve("notes.txt"), "not a schema, not read");

        try (WriterSchemaStore store = sources().open(READER, clock, false)) {
            assertThat(store.accepted()).hasSize(3);
            AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class, List.of(), store);

            GenericRecord a = (GenericRecord) SampleData.of(added, "a");
            a.put("priority", 3);
            assertThat(codec.decode(SampleData.singleObject(added, a)).getEventId()).isEqualTo("eventId-x");

            ImageEvent r = codec.decode(SampleData.singleObject(removed, SampleData.of(removed, "r")));
            assertThat(r.getConversationId()).isNull();
            assertThat(r.getAttributes()).isEmpty();

            GenericRecord n = (GenericRecord) SampleData.of(newEnum, "n");
            Schema taskType = newEnum.getField("tasks").schema().getElementType();
            n.put("tasks", List.of(new GenericData.EnumSymbol(taskType, "CAPTION"), new GenericData.EnumSymbol(taskType, "DETECT")));
            assertThat(codec.decode(SampleData.singleObject(newEnum, n)).getTasks())
                    .containsExactly(TaskType.CAPTION, TaskType.UNKNOWN);
        }
    }

    @Test
    void aSchemaRegisteredAfterTheStartIsFoundOnTheFirstRecordThatUsesIt() throws Exception {
        try (WriterSchemaStore store = sources().open(READER, clock, false)) {
            AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class, List.of(), store);
            Schema later = withoutFields(READER, "attributes");
            byte[] record = SampleData.singleObject(later, SampleData.of(later, "l"));

            AvroDecodeException before = catchThrowableOfType(AvroDecodeException.class, () -> codec.decode(record));
            assertThat(before.reason()).isEqualTo(AvroDecodeException.Reason.UNKNOWN_SCHEMA);
            assertThat(before).hasMessageContaining(Fingerprints.hex(Fingerprints.of(later)))
                    .hasMessageContaining("directory " + dir.toAbsolutePath());

            Files.writeString(dir.resolve("later.avsc"), later.toString());
            // the same fingerprint missed a moment ago: not re-read before the retry interval
            assertThatThrownBy(() -> codec.decode(record)).isInstanceOf(AvroDecodeException.class);
            clock.advance(Duration.ofSeconds(11));
            assertThat(codec.decode(record).getEventId()).isEqualTo("eventId-x");

            // a fingerprint never seen before re-reads the directory at once
            Schema another = withoutFields(READER, "conversationId");
            Files.writeString(dir.resolve("another.avsc"), another.toString());
            assertThat(codec.decode(SampleData.singleObject(another, SampleData.of(another, "x"))).getSource())
                    .isEqualTo("source-x");
        }
    }

    @Test
    void anIncompatibleSchemaIsRefusedWithTheReason() throws Exception {
        Schema incompatible = withoutFields(READER, "source"); // a required field removed
        Files.writeString(dir.resolve("bad-change.avsc"), incompatible.toString());
        try (WriterSchemaStore store = sources().open(READER, clock, false)) {
            AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class, List.of(), store);
            AvroDecodeException e = catchThrowableOfType(AvroDecodeException.class,
                    () -> codec.decode(SampleData.singleObject(incompatible, SampleData.of(incompatible, "i"))));
            assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.INCOMPATIBLE_SCHEMA);
            assertThat(e.reason().code()).isEqualTo("incompatible_schema");
            assertThat(e).hasMessageContaining("bad-change.avsc").hasMessageContaining("source");
        }
    }

    @Test
    void aFileThatIsNotASchemaOrAMissingDirectoryStopsTheStartButNotARunningReader() throws Exception {
        Files.writeString(dir.resolve("broken.avsc"), "{\"type\": \"record\", \"name\": ");
        Schema minimal = withoutFields(READER, "attributes");
        Files.writeString(dir.resolve("minimal.avsc"), minimal.toString());
        assertThatThrownBy(() -> sources().open(READER, clock, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broken.avsc");
        assertThatThrownBy(() -> WriterSchemaSources.none().withDirectory(dir.resolve("missing")).open(READER, clock, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");

        try (WriterSchemaStore lenient = sources().open(READER, clock, false)) {
            assertThat(lenient.accepted()).extracting(r -> r.fingerprint()).containsExactly(Fingerprints.of(minimal));
        }
        WriterSchemaSources.none().withDirectory(dir.resolve("missing")).open(READER, clock, false).close();
    }

    private WriterSchemaSources sources() {
        return WriterSchemaSources.none().withDirectory(dir).withRetryInterval(Duration.ofSeconds(10));
    }

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }

    static Schema withoutFields(Schema base, String... names) {
        List<String> drop = List.of(names);
        List<Schema.Field> kept = base.getFields().stream().filter(f -> !drop.contains(f.name()))
                .map(f -> new Schema.Field(f, f.schema())).collect(Collectors.toList());
        return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, kept);
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-12-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
