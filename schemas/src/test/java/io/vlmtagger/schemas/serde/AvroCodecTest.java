package io.vlmtagger.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.InlineImage;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroCodecTest {
    private final AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);

    @Test
    void roundTripsInlineAndReferenceEvents() throws Exception {
        ImageEvent inline = TestEvents.inline("e1", new byte[] {1, 2, 3});
        ImageEvent ref = TestEvents.ref("e2", "file:///data/a.png");

        byte[] bytes = codec.encode(inline);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        ImageEvent back = codec.decode(bytes);
        assertThat(back).isEqualTo(inline);
        assertThat(((InlineImage) back.getImage()).getData().array()).containsExactly(1, 2, 3);
        assertThat(codec.decode(codec.encode(ref))).isEqualTo(ref);
    }

    @Test
    void plainTextIsUnknownSchema() {
        AvroDecodeException e = catchThrowableOfType(AvroDecodeException.class,
                () -> codec.decode("{\"eventId\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.UNKNOWN_SCHEMA);
    }

    @Test
    void otherRecordTypeIsUnknownSchema() {
        DeadLetter dl = DeadLetter.newBuilder().setStage(FailureStage.DECODE).setReason("r").setErrorClass("c")
                .setErrorMessage("m").setFailedAt(Instant.EPOCH).build();
        byte[] bytes = AvroCodec.of(DeadLetter.class).encode(dl);
        AvroDecodeException e = catchThrowableOfType(AvroDecodeException.class, () -> codec.decode(bytes));
        assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.UNKNOWN_SCHEMA);
        assertThat(e).hasMessageContaining("Unknown writer schema");
    }

    @Test
    void truncatedBodyIsDecodeError() {
        byte[] full = codec.encode(TestEvents.ref("e2", "file:///data/a.png"));
        byte[] cut = Arrays.copyOf(full, full.length - 5);
        AvroDecodeException e = catchThrowableOfType(AvroDecodeException.class, () -> codec.decode(cut));
        assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.AVRO_DECODE_ERROR);
    }

    @Test
    void nullIsDecodeError() {
        assertThatThrownBy(() -> codec.decode(null)).isInstanceOf(AvroDecodeException.class);
    }

    @Test
    void randomBodiesAfterAValidHeaderOnlyEverRaiseAvroDecodeException() {
        byte[] header = Arrays.copyOf(codec.encode(TestEvents.inline("e", new byte[0])), 10);
        Random random = new Random(42);
        int decoded = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] body = new byte[random.nextInt(64)];
            random.nextBytes(body);
            byte[] bytes = new byte[header.length + body.length];
            System.arraycopy(header, 0, bytes, 0, header.length);
            System.arraycopy(body, 0, bytes, header.length, body.length);
            try {
                codec.decode(bytes);
                decoded++;
            } catch (AvroDecodeException e) {
                assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.AVRO_DECODE_ERROR);
            }
        }
        assertThat(decoded).isLessThan(3000);
    }

    @Test
    void kafkaSerdeRoundTripsAndWrapsErrors() {
        AvroKafkaSerializer<ImageEvent> ser = new AvroKafkaSerializer<>(ImageEvent.class);
        AvroKafkaDeserializer<ImageEvent> de = new AvroKafkaDeserializer<>(ImageEvent.class);
        ImageEvent event = TestEvents.ref("e3", "https://example.org/x.jpg");
        assertThat(de.deserialize("t", ser.serialize("t", event))).isEqualTo(event);
        assertThat(ser.serialize("t", null)).isNull();
        assertThat(de.deserialize("t", null)).isNull();
        assertThatThrownBy(() -> de.deserialize("t", new byte[] {1, 2, 3}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("unknown_schema")
                .hasCauseInstanceOf(AvroDecodeException.class);
    }

    @Test
    void attributesSurviveRoundTrip() throws Exception {
        ImageEvent e = TestEvents.inline("e4", new byte[] {9});
        e.setAttributes(Map.of("tenant", "acme", "x", "y"));
        assertThat(codec.decode(codec.encode(e)).getAttributes()).containsEntry("tenant", "acme");
        assertThat(AvroCodec.of(ImageEvent.class, List.of()).schema()).isEqualTo(ImageEvent.getClassSchema());
    }

    @Test
    void aHugeClaimedStringLengthFailsFastWithoutAllocatingIt() {
        byte[] header = Arrays.copyOf(codec.encode(TestEvents.inline("e", new byte[0])), 10);
        // eventId length as a zig-zag varint of 1_500_000_000, followed by nothing
        long zigzag = 1_500_000_000L << 1;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(header, 0, header.length);
        while ((zigzag & ~0x7FL) != 0) {
            out.write((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.write((int) zigzag);
        long before = System.nanoTime();
        AvroDecodeException e = catchThrowableOfType(AvroDecodeException.class, () -> codec.decode(out.toByteArray()));
        assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.AVRO_DECODE_ERROR);
        assertThat((System.nanoTime() - before) / 1_000_000).isLessThan(2000);
    }

    @Test
    void anUnknownFingerprintIsShownAsTheHeaderBytesNextToTheExpectedOnes() {
        byte[] bytes = codec.encode(TestEvents.ref("e5", "file:///x.png"));
        byte[] foreign = java.util.HexFormat.of().parseHex("0d0e0f1011121314");
        System.arraycopy(foreign, 0, bytes, 2, 8);

        AvroDecodeException e = catchThrowableOfType(AvroDecodeException.class, () -> codec.decode(bytes));

        assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.UNKNOWN_SCHEMA);
        String expected = Fingerprints.hex(Fingerprints.of(ImageEvent.getClassSchema()));
        // the bytes fastavro prints for this schema (issue #19)
        assertThat(expected).isEqualTo("3c3e3466a3e92106");
        assertThat(e).hasMessageContaining("0d0e0f1011121314")
                .hasMessageContaining(expected + " (v1, this build)")
                .hasMessageContaining("header bytes 3-10");
        // the expected fingerprint is the header a real record carries, byte for byte
        assertThat(java.util.HexFormat.of().formatHex(Arrays.copyOfRange(codec.encode(TestEvents.ref("e", "file:///x")), 2, 10)))
                .isEqualTo(expected);
    }

    @Test
    void aFingerprintWithLeadingZeroBytesKeepsThemInTheMessage() {
        assertThat(Fingerprints.hex(0x0621e9a3_66343e3cL)).isEqualTo("3c3e3466a3e92106");
        assertThat(Fingerprints.hex(0x00000000_000000ffL)).isEqualTo("ff00000000000000");
        assertThat(Fingerprints.read(Fingerprints.header(ImageEvent.getClassSchema())))
                .isEqualTo(Fingerprints.of(ImageEvent.getClassSchema()));
    }

    @Test
    void bytesWithoutTheMarkerAreShownInHex() {
        AvroDecodeException e = catchThrowableOfType(AvroDecodeException.class,
                () -> codec.decode("this record is not an ImageEvent".getBytes(StandardCharsets.UTF_8)));
        assertThat(e).hasMessageContaining("must start with C3 01").hasMessageContaining("74686973207265636f72...");
    }

    @Test
    void anEnumIndexBeyondTheWriterSchemaNamesTheFieldAndTheFix() {
        // a producer that added a TaskType symbol but wrote this build's fingerprint
        org.apache.avro.Schema own = ImageEvent.getClassSchema();
        org.apache.avro.Schema newer = new org.apache.avro.Schema.Parser().parse(own.toString()
                .replace("\"FEW_SHOT_TAGS\",\"UNKNOWN\"]", "\"FEW_SHOT_TAGS\",\"UNKNOWN\",\"DETECT\"]"));
        org.apache.avro.generic.GenericRecord event = (org.apache.avro.generic.GenericRecord) SampleData.of(newer, "f");
        org.apache.avro.Schema taskType = newer.getField("tasks").schema().getElementType();
        event.put("tasks", List.of(new org.apache.avro.generic.GenericData.EnumSymbol(taskType, "DETECT")));
        byte[] bytes = SampleData.singleObject(newer, event);
        System.arraycopy(Fingerprints.header(own), 0, bytes, 0, 10);

        AvroDecodeException e = catchThrowableOfType(AvroDecodeException.class, () -> codec.decode(bytes));

        assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.AVRO_DECODE_ERROR);
        assertThat(e).hasMessageContaining("tasks[0]: enum TaskType index 4, but the writer schema has 4 symbols")
                .hasMessageContaining(Fingerprints.hex(Fingerprints.of(own)))
                .hasMessageContaining("must write its own schema's fingerprint")
                .hasMessageNotContaining("Index 4 out of bounds");
    }
}
