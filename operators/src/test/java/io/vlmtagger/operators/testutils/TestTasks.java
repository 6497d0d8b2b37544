package io.vlmtagger.operators.testutils;

import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** {@link ImageTask}s as they leave the fetch stage, with a fake image (see {@link FakeImages}). */
public final class TestTasks {
    private TestTasks() {}

    public static ImageTask caption(String eventId, String imageLabel) {
        return task(eventId, imageLabel, List.of(TaskType.CAPTION), null, null);
    }

    public static ImageTask chat(String eventId, String conversationId, String imageLabel, String question) {
        return task(eventId, imageLabel, List.of(TaskType.CHAT), question, conversationId);
    }

    public static ImageTask task(String eventId, String imageLabel, List<TaskType> tasks, String question,
                                 String conversationId) {
        byte[] bytes = FakeImages.image(imageLabel);
        ImageEvent event = ImageEvent.newBuilder()
                .setEventId(eventId)
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setSource("test")
                .setImage(InlineImage.newBuilder().setData(ByteBuffer.wrap(bytes)).setContentType("image/fake").build())
                .setTasks(tasks)
                .setQuestion(question)
                .setConversationId(conversationId)
                .setAttributes(Map.of("tenant", "t1"))
                .build();
        ImageTask t = new ImageTask(event, "images", 0, eventId.hashCode() & 0xffff, 1_700_000_001_000L);
        t.imageBytes = bytes;
        t.imageSha256 = sha256(bytes);
        return t;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
