package io.vlmtagger.operators.records;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * A task with its record's timestamp, as an operator keeps it while it is in flight and stores it
 * in its checkpointed state (re-submitted after a restore). A Flink POJO.
 */
public class TimestampedTask {
    public ImageTask task;
    public long timestamp;
    public boolean hasTimestamp;

    public TimestampedTask() {}

    public TimestampedTask(ImageTask task, long timestamp, boolean hasTimestamp) {
        this.task = task;
        this.timestamp = timestamp;
        this.hasTimestamp = hasTimestamp;
    }

    /** {@code value} as a record with this task's timestamp (or none). */
    public <T> StreamRecord<T> record(T value) {
        return hasTimestamp ? new StreamRecord<>(value, timestamp) : new StreamRecord<>(value);
    }
}
