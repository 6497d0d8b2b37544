package io.vlmtagger.schemas.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;
import io.vlmtagger.schemas.serde.AvroCodec;
import io.vlmtagger.schemas.serde.AvroKafkaSerializer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageEventProducerTest {
    @TempDir
    Path dir;

    private MockProducer<String, ImageEvent> mock() {
        return new MockProducer<>(true, null, new StringSerializer(), new AvroKafkaSerializer<>(ImageEvent.class));
    }

    @Test
    void smallFilesGoInlineLargeOnesByReferenceWithTheirSha256() throws Exception {
        Path small = Files.write(dir.resolve("small.png"), new byte[100]);
        byte[] bigBytes = new byte[5000];
        bigBytes[17] = 3;
        Path big = Files.write(dir.resolve("big.jpg"), bigBytes);
        AtomicInteger ids = new AtomicInteger();
        MockProducer<String, ImageEvent> kafka = mock();
        try (ImageEventProducer p = ImageEventProducer.builder().setTopic("images").optInlineMaxBytes(1000)
                .optEventIds(() -> "id-" + ids.incrementAndGet()).optSource("cli")
                .optClock(Clock.fixed(Instant.ofEpochMilli(42), ZoneOffset.UTC)).optProducer(kafka).build()) {
            ImageEvent e1 = p.eventForFile(small);
            ImageEvent e2 = p.eventForFile(big);
            p.send(e1).get();
            p.send(e2).get();

            assertThat(e1.getImage()).isInstanceOf(InlineImage.class);
            assertThat(((InlineImage) e1.getImage()).getContentType()).isEqualTo("image/png");
            assertThat(e2.getImage()).isInstanceOf(ImageRef.class);
            ImageRef ref = (ImageRef) e2.getImage();
            assertThat(ref.getUri()).startsWith("file:/").endsWith("big.jpg");
            assertThat(ref.getSha256()).isEqualTo(Sha256.hex(bigBytes)).hasSize(64);
            assertThat(e1.getEventTime()).isEqualTo(Instant.ofEpochMilli(42));
            assertThat(e1.getTasks()).containsExactly(TaskType.CAPTION);
        }
        List<ProducerRecord<String, ImageEvent>> sent = kafka.history();
        assertThat(sent).extracting(ProducerRecord::key).containsExactly("id-1", "id-2");
        assertThat(sent).extracting(ProducerRecord::topic).containsOnly("images");
    }

    @Test
    void aQuestionAddsTheChatTask() {
        ImageEventProducer p = ImageEventProducer.builder().setTopic("t").optQuestion("what colour?")
                .optProducer(mock()).build();
        ImageEvent e = p.eventForBytes(new byte[] {1}, null);
        assertThat(e.getTasks()).containsExactly(TaskType.CAPTION, TaskType.CHAT);
        assertThat(e.getQuestion()).isEqualTo("what colour?");
    }

    @Test
    void buildSaysWhatIsMissing() {
        assertThatThrownBy(() -> ImageEventProducer.builder().build()).hasMessageContaining("setTopic");
        assertThatThrownBy(() -> ImageEventProducer.builder().setTopic("t").build())
                .hasMessageContaining("setBootstrapServers");
        assertThatThrownBy(() -> ImageEventProducer.builder().setTopic("t").optTasks(List.of(TaskType.CHAT))
                .optProducer(mock()).build()).hasMessageContaining("optQuestion");
        ImageEventProducer p = ImageEventProducer.builder().setTopic("t").optInlineMaxBytes(2).optProducer(mock()).build();
        assertThatThrownBy(() -> p.eventForBytes(new byte[3], null)).hasMessageContaining("above the inline limit");
    }

    @Test
    void cliSendsAFolderAndReportsCounts() throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        Files.write(dir.resolve("a.png"), new byte[10]);
        Files.write(dir.resolve("sub/b.JPG"), new byte[3000]);
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        MockProducer<String, ImageEvent> kafka = mock();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int rc = SendImages.run(new String[] {"--topic", "images", "--inline-max-bytes", "1000",
                "--question", "what is it?", dir.toString()}, new PrintStream(out), new PrintStream(err), kafka);

        assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).trim()).isEqualTo("sent=2 inline=1 by_reference=1 failed=0");
        assertThat(kafka.history()).hasSize(2);
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
        ImageEvent first = codec.decode(new AvroKafkaSerializer<>(ImageEvent.class)
                .serialize("images", kafka.history().get(0).value()));
        assertThat(first.getQuestion()).isEqualTo("what is it?");
    }

    @Test
    void cliExitsNonZeroWhenKafkaRejectsAndOnUsageErrors() throws Exception {
        Files.write(dir.resolve("a.png"), new byte[10]);
        MockProducer<String, ImageEvent> failing = new MockProducer<>(false, null, new StringSerializer(),
                new AvroKafkaSerializer<>(ImageEvent.class)) {
            @Override
            public synchronized void flush() {
                while (errorNext(new org.apache.kafka.common.errors.TimeoutException("broker gone"))) {
                    // fail every pending send
                }
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = SendImages.run(new String[] {"--topic", "images", dir.resolve("a.png").toString(),
                dir.resolve("missing.png").toString()}, new PrintStream(out), new PrintStream(err), failing);
        assertThat(rc).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("sent=0").contains("failed=2");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("broker gone").contains("missing.png");

        assertThat(SendImages.run(new String[] {"--topic"}, new PrintStream(out), new PrintStream(err), failing))
                .isEqualTo(2);
        assertThat(SendImages.run(new String[] {"--topic", "t", "--bogus", "x"}, new PrintStream(out),
                new PrintStream(err), failing)).isEqualTo(2);
    }
}
