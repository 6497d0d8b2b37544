package io.vlmtagger.schemas.serde;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;

/** Sample events for the serde tests. */
public final class TestEvents {
    private TestEvents() {}

    public static ImageEvent inline(String id, byte[] data) {
        return ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setSource("test").setImage(InlineImage.newBuilder().setData(ByteBuffer.wrap(data))
                        .setContentType("image/png").build())
                .setTasks(List.of(TaskType.CAPTION)).setQuestion(null).setConversationId(null)
                .setAttributes(Map.of("k", "v")).build();
    }

    public static ImageEvent ref(String id, String uri) {
        return ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setSource("test").setImage(ImageRef.newBuilder().setUri(uri).setSha256(null).build())
                .setTasks(List.of(TaskType.CAPTION, TaskType.CHAT)).setQuestion("what is it?")
                .setConversationId("c1").setAttributes(Map.of()).build();
    }
}
