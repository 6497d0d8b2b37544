package io.vlmtagger.operators.records;

import io.vlmtagger.schemas.ImageEvent;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One decoded input event travelling through the job: the event as produced, where it came from
 * (for dead letters), and, once fetched, the image bytes and their hash. A Flink POJO (public
 * fields, no-arg constructor); {@link ImageEvent} is serialized by Flink's Avro serializer.
 */
public class ImageTask {
    /** The event as decoded from the input topic (serialized with Avro, see {@link ImageEventTypeInfoFactory}). */
    @TypeInfo(ImageEventTypeInfoFactory.class)
    public ImageEvent event;

    /** Kafka coordinates of the input record, for dead letters. */
    public String topic;
    public int partition = -1;
    public long offset = -1L;

    /** The input record's Kafka key as received (null when it had none), kept for dead letters. */
    public byte[] key;

    /** When the job received the record (processing time, epoch millis). */
    public long receivedAtMs;

    /** The encoded image once fetched (inline bytes or fetched from the URI); null before the fetch stage. */
    public byte[] imageBytes;

    /** Lowercase hex sha256 of {@link #imageBytes}; null before the fetch stage. */
    public String imageSha256;

    public ImageTask() {}

    public ImageTask(ImageEvent event, String topic, int partition, long offset, long receivedAtMs) {
        this.event = event;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.receivedAtMs = receivedAtMs;
    }

    public String eventId() {
        return event == null ? null : event.getEventId();
    }

    @Override
    public String toString() {
        return "ImageTask{eventId=" + eventId() + ", topic=" + topic + ", partition=" + partition
                + ", offset=" + offset + ", bytes=" + (imageBytes == null ? "null" : imageBytes.length) + '}';
    }
}
