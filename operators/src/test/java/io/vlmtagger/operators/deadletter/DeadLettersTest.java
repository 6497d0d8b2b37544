package io.vlmtagger.operators.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.TaskType;
import io.vlmtagger.schemas.flink.RawKafkaRecord;
import io.vlmtagger.schemas.serde.AvroCodec;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(5_000), ZoneOffset.UTC);

    static ImageEvent event(String uri) {
        return ImageEvent.newBuilder().setEventId("ev-1").setEventTime(Instant.EPOCH).setSource("s")
                .setImage(ImageRef.newBuilder().setUri(uri).setSha256(null).build())
                .setTasks(List.of(TaskType.CAPTION)).setQuestion(null).setConversationId(null)
                .setAttributes(Map.of()).build();
    }

    @Test
    void fromRawKeepsCoordinatesAndCapsTheOriginalBytes() {
        byte[] value = new byte[100];
        value[0] = 7;
        RawKafkaRecord raw = new RawKafkaRecord("images", 2, 40L, 1L, 2L, null, value);
        DeadLetter dl = DeadLetters.forRaw(raw).setStage(FailureStage.DECODE).setReason("avro_decode_error")
                .optError(new IllegalStateException("bad")).optClock(CLOCK).optMaxOriginalBytes(10).build();

        assertThat(dl.getEventId()).isNull();
        assertThat(dl.getTopic()).isEqualTo("images");
        assertThat(dl.getPartition()).isEqualTo(2);
        assertThat(dl.getOffset()).isEqualTo(40L);
        assertThat(dl.getTruncated()).isTrue();
        assertThat(dl.getOriginalBytes().remaining()).isEqualTo(10);
        assertThat(dl.getOriginalBytes().get(0)).isEqualTo((byte) 7);
        assertThat(dl.getErrorClass()).isEqualTo(IllegalStateException.class.getName());
        assertThat(dl.getErrorMessage()).isEqualTo("bad");
        assertThat(dl.getFailedAt()).isEqualTo(Instant.ofEpochMilli(5_000));
        assertThat(dl.getAttempts()).isEqualTo(1);
    }

    @Test
    void fromTaskStoresTheAvroEncodingOfTheEventAndRedactsMessages() throws Exception {
        ImageEvent event = event("https://user:pw@img.example.org/a.png?X-Amz-Signature=abc");
        ImageTask task = new ImageTask(event, "images", 0, 9L, 1L);
        task.imageBytes = new byte[50];
        DeadLetter dl = DeadLetters.forTask(task).setStage(FetchStage()).setReason("fetch_denied")
                .optMessage("refused https://user:pw@img.example.org/a.png?X-Amz-Signature=abc with "
                        + "Authorization: Bearer abc.def and password=hunter2")
                .optError(new RuntimeException("outer", new RuntimeException("token=s3cr3t")))
                .optAttempts(3).optClock(CLOCK).build();

        assertThat(dl.getEventId()).isEqualTo("ev-1");
        assertThat(dl.getTruncated()).isFalse();
        ImageEvent back = AvroCodec.of(ImageEvent.class).decode(toArray(dl.getOriginalBytes()));
        // the stored event is the original with its URI's credentials (user-info, signed query) redacted
        assertThat(((ImageRef) back.getImage()).getUri()).isEqualTo("https://img.example.org/a.png?***");
        ImageEvent expected = ImageEvent.newBuilder(event).build();
        expected.setImage(ImageRef.newBuilder().setUri("https://img.example.org/a.png?***").setSha256(null).build());
        assertThat(back).isEqualTo(expected);
        assertThat(new String(toArray(dl.getOriginalBytes()), java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain("user:pw").doesNotContain("Signature=abc");
        assertThat(dl.getAttempts()).isEqualTo(3);
        assertThat(dl.getErrorMessage())
                .contains("https://img.example.org/a.png?***")
                .contains("outer").contains("token=***")
                .doesNotContain("user:pw").doesNotContain("abc.def").doesNotContain("hunter2")
                .doesNotContain("s3cr3t").doesNotContain("Signature=abc");
    }

    @Test
    void buildSaysWhatIsMissing() {
        RawKafkaRecord raw = new RawKafkaRecord();
        assertThatThrownBy(() -> DeadLetters.forRaw(raw).setReason("x").build()).hasMessageContaining("setStage");
        assertThatThrownBy(() -> DeadLetters.forRaw(raw).setStage(FailureStage.DECODE).build())
                .hasMessageContaining("setReason");
        DeadLetter dl = DeadLetters.forRaw(raw).setStage(FailureStage.DECODE).setReason("empty_record").build();
        assertThat(dl.getOriginalBytes()).isNull();
        assertThat(dl.getErrorClass()).isEqualTo("none");
    }

    @Test
    void redactsUrisInAllTheirForms() {
        assertThat(Redaction.uri("https://u:p@h.example:8443/x/y.jpg?sig=1#frag")).isEqualTo("https://h.example:8443/x/y.jpg?***");
        assertThat(Redaction.uri("file:///data/a.png")).isEqualTo("file:///data/a.png");
        assertThat(Redaction.uri("http://h/a b?c=d")).isEqualTo("http://h/a b?***");
        assertThat(Redaction.uri("http://user@h/p")).isEqualTo("http://h/p");
        assertThat(Redaction.text("GET http://a:b@h/p?q=1 failed: Authorization=Basic dXNlcjpwYXNz"))
                .isEqualTo("GET http://h/p?*** failed: authorization: ***");
        assertThat(Redaction.text("api_key: 123 and apikey=456")).isEqualTo("api_key: *** and apikey=***");
    }

    private static FailureStage FetchStage() {
        return FailureStage.FETCH;
    }

    private static byte[] toArray(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
