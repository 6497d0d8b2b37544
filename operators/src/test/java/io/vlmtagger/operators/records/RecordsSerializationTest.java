package io.vlmtagger.operators.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

/**
 * The records cross the network between operators: they must go through Flink's own serializers
 * (POJO + Avro), never the Kryo fallback, which cannot handle the ByteBuffers of Avro classes on Java 17.
 */
class RecordsSerializationTest {

    private static <T> T roundTrip(TypeInformation<T> type, T value) throws Exception {
        TypeSerializer<T> serializer = type.createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    static ImageEvent inlineEvent() {
        return ImageEvent.newBuilder().setEventId("e1").setEventTime(Instant.ofEpochMilli(3)).setSource("s")
                .setImage(InlineImage.newBuilder().setData(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                        .setContentType("image/png").build())
                .setTasks(List.of(TaskType.CAPTION, TaskType.CHAT)).setQuestion("q").setConversationId(null)
                .setAttributes(Map.of("a", "b")).build();
    }

    @Test
    void imageTaskIsAPojoWhoseEventUsesAvro() throws Exception {
        TypeInformation<ImageTask> type = TypeInformation.of(ImageTask.class);
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<ImageTask> pojo = (PojoTypeInfo<ImageTask>) type;
        assertThat(pojo.getTypeAt("event")).isInstanceOf(AvroTypeInfo.class);

        ImageTask task = new ImageTask(inlineEvent(), "images", 2, 7L, 11L);
        task.imageBytes = new byte[] {9, 8};
        task.imageSha256 = "ab";
        ImageTask back = roundTrip(type, task);
        assertThat(back.event).isEqualTo(task.event);
        assertThat(back.imageBytes).containsExactly(9, 8);
        assertThat(back.offset).isEqualTo(7L);
    }

    @Test
    void outcomesOfImageTasksRoundTripWithValueOrDeadLetter() throws Exception {
        TypeInformation<Outcome<ImageTask>> type = TypeInformation.of(new TypeHint<Outcome<ImageTask>>() {});
        assertThat(type).isInstanceOf(PojoTypeInfo.class);

        Outcome<ImageTask> ok = roundTrip(type, Outcome.ok(new ImageTask(inlineEvent(), "t", 0, 1L, 2L)));
        assertThat(ok.isOk()).isTrue();
        assertThat(ok.value.event.getEventId()).isEqualTo("e1");

        DeadLetter dl = DeadLetter.newBuilder().setEventId("e1").setOriginalBytes(ByteBuffer.wrap(new byte[] {5}))
                .setStage(FailureStage.FETCH).setReason("fetch_timeout").setErrorClass("x").setErrorMessage("m")
                .setFailedAt(Instant.ofEpochMilli(9)).build();
        Outcome<ImageTask> failed = roundTrip(type, Outcome.failed(dl));
        assertThat(failed.isOk()).isFalse();
        assertThat(failed.deadLetter).isEqualTo(dl);
    }
}
