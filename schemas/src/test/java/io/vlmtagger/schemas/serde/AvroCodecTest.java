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
}
