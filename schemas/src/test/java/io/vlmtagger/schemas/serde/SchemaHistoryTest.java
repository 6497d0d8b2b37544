package io.vlmtagger.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * The schema history shipped in the jar: every schema of src/main/avro has one, its newest version
 * is the current schema (a change without a new version file fails here), and every released
 * version resolves against the current reader in both directions and is read by a default codec
 * without registering anything.
 */
class SchemaHistoryTest {
    private static final Path MAIN_AVRO = Path.of("src/main/avro");

    @Test
    void theNewestVersionOfEverySchemaIsTheCurrentOne() throws IOException {
        List<Path> files = avscFiles();
        assertThat(files).hasSizeGreaterThanOrEqualTo(5);
        for (Path file : files) {
            Schema current = new Schema.Parser().parse(file.toFile());
            List<SchemaHistory.Version> history = SchemaHistory.of(current.getName());
            assertThat(history).as("history of %s under %s%s/", file, SchemaHistory.RESOURCE_ROOT, current.getName())
                    .isNotEmpty();
            assertThat(history.get(history.size() - 1).fingerprint())
                    .as("%s changed: copy it to %s%s/v%d.avsc", file, SchemaHistory.RESOURCE_ROOT, current.getName(),
                            history.size() + 1)
                    .isEqualTo(Fingerprints.of(current));
        }
    }

    @Test
    void everyReleasedVersionResolvesAgainstTheCurrentReaderBothWays() throws IOException {
        for (Path file : avscFiles()) {
            Schema current = new Schema.Parser().parse(file.toFile());
            for (SchemaHistory.Version v : SchemaHistory.of(current.getName())) {
                assertCompatible(current, v.schema(), "backward (current reader, " + v.label() + " writer) " + file);
                assertCompatible(v.schema(), current, "forward (" + v.label() + " reader, current writer) " + file);
            }
        }
    }

    @Test
    void aDefaultCodecReadsRecordsOfEveryReleasedVersion() throws Exception {
        for (Class<? extends SpecificRecord> type : List.of(io.vlmtagger.schemas.ImageEvent.class,
                io.vlmtagger.schemas.EnrichedImage.class, io.vlmtagger.schemas.ChatAnswer.class,
                io.vlmtagger.schemas.DeadLetter.class, io.vlmtagger.schemas.Exemplar.class)) {
            AvroCodec<? extends SpecificRecord> codec = AvroCodec.of(type);
            for (SchemaHistory.Version v : SchemaHistory.of(type)) {
                Object datum = SampleData.of(v.schema(), "f");
                SpecificRecord decoded = codec.decode(SampleData.singleObject(v.schema(), datum));
                Schema.Field first = v.schema().getFields().get(0);
                assertThat(String.valueOf(decoded.get(decoded.getSchema().getField(first.name()).pos())))
                        .as("%s %s field %s", type.getSimpleName(), v.label(), first.name())
                        .isEqualTo(String.valueOf(((org.apache.avro.generic.GenericRecord) datum).get(first.name())));
            }
            assertThat(codec.knownWriterSchemas()).extracting(WriterSchemaResolver.Registered::fingerprint)
                    .contains(Fingerprints.of(SpecificData.get().getSchema(type)));
        }
    }

    @Test
    void deadLetterV1RecordsReadWithoutTheirKafkaKey() throws Exception {
        SchemaHistory.Version v1 = SchemaHistory.of(io.vlmtagger.schemas.DeadLetter.class).get(0);
        assertThat(v1.schema().getField("kafkaKey")).isNull();
        io.vlmtagger.schemas.DeadLetter d = AvroCodec.of(io.vlmtagger.schemas.DeadLetter.class)
                .decode(SampleData.singleObject(v1.schema(), SampleData.of(v1.schema(), "f")));
        assertThat(d.getReason()).isEqualTo("reason-x");
        assertThat(d.getKafkaKey()).isNull();
    }

    private static void assertCompatible(Schema reader, Schema writer, String what) {
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        assertThat(result.getType()).as(what + ": " + result.getDescription())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    private static List<Path> avscFiles() throws IOException {
        try (Stream<Path> s = Files.list(MAIN_AVRO)) {
            return s.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
        }
    }
}
