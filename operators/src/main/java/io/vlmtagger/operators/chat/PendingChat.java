package io.vlmtagger.operators.chat;

import io.vlmtagger.operators.records.ImageTask;

/**
 * A question waiting for or being answered by the model, with its record timestamp; stored in
 * keyed state on checkpoints and re-submitted after a restore. A Flink POJO.
 */
public class PendingChat {
    public ImageTask task;
    public long timestamp;
    public boolean hasTimestamp;

    public PendingChat() {}

    public PendingChat(ImageTask task, long timestamp, boolean hasTimestamp) {
        this.task = task;
        this.timestamp = timestamp;
        this.hasTimestamp = hasTimestamp;
    }
}
