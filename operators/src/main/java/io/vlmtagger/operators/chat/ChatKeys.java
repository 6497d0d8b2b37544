package io.vlmtagger.operators.chat;

import io.vlmtagger.operators.records.ImageTask;
import org.apache.flink.api.java.functions.KeySelector;

/** The key of the chat stage: the event's conversation id, or its event id when it has none. */
public final class ChatKeys implements KeySelector<ImageTask, String> {
    private static final long serialVersionUID = 1L;

    public static final ChatKeys BY_CONVERSATION = new ChatKeys();

    @Override
    public String getKey(ImageTask task) {
        return conversationId(task);
    }

    public static String conversationId(ImageTask task) {
        String c = task.event.getConversationId();
        return c == null || c.isBlank() ? task.event.getEventId() : c;
    }
}
