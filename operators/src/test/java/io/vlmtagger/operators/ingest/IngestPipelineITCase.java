package io.vlmtagger.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.fetch.AsyncFetchFunction;
import io.vlmtagger.operators.fetch.FetcherOptions;
import io.vlmtagger.operators.deadletter.OutcomeRouter;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.records.Outcome;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;
import io.vlmtagger.schemas.flink.RawKafkaRecord;
import io.vlmtagger.schemas.serde.AvroCodec;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decode -> async fetch -> router on the MiniCluster, with Kryo disabled: every record type must
 * have a real Flink serializer, and every bad input must come out as a dead letter, none lost.
 */
class IngestPipelineITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    @TempDir
    Path tmp;

    private static ImageEvent.Builder event(String id, Object image) {
        return ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.EPOCH).setSource("it").setImage(image)
                .setTasks(List.of(TaskType.CAPTION)).setQuestion(null).setConversationId(null).setAttributes(Map.of());
    }

    @Test
    void goodRecordsComeOutWithTheirBytesAndEveryBadOneAsADeadLetter() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("images"));
        Files.write(root.resolve("ok.png"), new byte[] {1, 1, 1});
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);

        List<RawKafkaRecord> input = new ArrayList<>();
        int goodInline = 20;
        for (int i = 0; i < goodInline; i++) {
            byte[] v = codec.encode(event("inline-" + i, InlineImage.newBuilder()
                    .setData(ByteBuffer.wrap(new byte[] {(byte) i, 2, 3})).setContentType("image/png").build()).build());
            input.add(new RawKafkaRecord("images", 0, i, i, i, null, v));
        }
        input.add(raw(100, codec.encode(event("file-ok", ImageRef.newBuilder()
                .setUri(root.resolve("ok.png").toUri().toString()).setSha256(null).build()).build())));
        input.add(raw(101, codec.encode(event("file-missing", ImageRef.newBuilder()
                .setUri(root.resolve("missing.png").toUri().toString()).setSha256(null).build()).build())));
        input.add(raw(102, codec.encode(event("file-denied", ImageRef.newBuilder()
                .setUri("file:///etc/hostname").setSha256(null).build()).build())));
        input.add(raw(103, new byte[] {1, 2, 3}));
        input.add(raw(104, null));
        input.add(raw(105, codec.encode(event("chat-no-question", InlineImage.newBuilder()
                .setData(ByteBuffer.wrap(new byte[] {1})).setContentType(null).build())
                .setTasks(List.of(TaskType.CHAT)).build())));

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);

        DataStream<RawKafkaRecord> raw = env.fromData(input, TypeInformation.of(RawKafkaRecord.class));
        SingleOutputStreamOperator<ImageTask> decoded = raw.process(DecodeFunction.builder().build());
        DataStream<Outcome<ImageTask>> fetched = AsyncDataStream.unorderedWait(decoded,
                new AsyncFetchFunction(FetcherOptions.builder().optAllowedRoot(root).build()), 10, TimeUnit.SECONDS, 20)
                .returns(AsyncFetchFunction.OUTPUT_TYPE);
        SingleOutputStreamOperator<ImageTask> withBytes = fetched.process(OutcomeRouter.of(ImageTask.class));
        DataStream<DeadLetter> deadLetters = decoded.getSideOutput(DeadLetters.TAG)
                .union(withBytes.getSideOutput(DeadLetters.TAG));

        List<ImageTask> ok = new ArrayList<>();
        List<DeadLetter> dls = new ArrayList<>();
        try (CloseableIterator<ImageTask> okIt = withBytes.collectAsync();
             CloseableIterator<DeadLetter> dlIt = deadLetters.collectAsync()) {
            env.execute("ingest-it");
            okIt.forEachRemaining(ok::add);
            dlIt.forEachRemaining(dls::add);
        }

        assertThat(ok).hasSize(goodInline + 1);
        assertThat(ok).allSatisfy(t -> {
            assertThat(t.imageBytes).isNotEmpty();
            assertThat(t.imageSha256).hasSize(64);
        });
        ImageTask fromFile = ok.stream().filter(t -> t.eventId().equals("file-ok")).findFirst().orElseThrow();
        assertThat(fromFile.imageBytes).containsExactly(1, 1, 1);
        assertThat(fromFile.offset).isEqualTo(100L);

        Map<String, String> reasonByOffset = dls.stream().collect(Collectors.toMap(
                d -> String.valueOf(d.getOffset()), d -> d.getStage() + "/" + d.getReason()));
        assertThat(reasonByOffset).containsExactlyInAnyOrderEntriesOf(Map.of(
                "101", FailureStage.FETCH + "/fetch_not_found",
                "102", FailureStage.FETCH + "/fetch_denied",
                "103", FailureStage.DECODE + "/unknown_schema",
                "104", FailureStage.DECODE + "/empty_record",
                "105", FailureStage.DECODE + "/missing_question"));
    }

    private static RawKafkaRecord raw(long offset, byte[] value) {
        return new RawKafkaRecord("images", 1, offset, -1L, 0L, null, value);
    }
}
