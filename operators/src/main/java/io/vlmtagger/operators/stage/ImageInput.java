package io.vlmtagger.operators.stage;

import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.operators.records.ImageTask;

/**
 * One input row of a stage that reads the event's image: the task and, once preprocessed, its
 * pixels, kept across attempts so that a retry does not decode again. Lives only in the runtime's
 * memory; Flink's state holds the {@link ImageTask} with its encoded image, never the pixels.
 */
public abstract class ImageInput {
    public final ImageTask task;
    private volatile PixelValues pixels;

    protected ImageInput(ImageTask task) {
        this.task = task;
    }

    /** A model's {@code preprocess(byte[])}: decodes and resizes one encoded image. */
    @FunctionalInterface
    public interface Preprocessing {
        PixelValues preprocess(byte[] encodedImage) throws ImageDecodeException;
    }

    /**
     * Decodes and resizes the task's image on the first call; later calls (retried attempts) keep
     * the pixels.
     *
     * @param stage what the event reached, for the message of an event without image bytes
     *     ("captioning", "chat", "few-shot tagging")
     * @throws ImageDecodeException {@code EMPTY} when the task carries no image bytes, or the model's
     *     own reason
     */
    public final void preprocessOnce(Preprocessing model, String stage) throws ImageDecodeException {
        if (pixels == null) {
            if (task.imageBytes == null || task.imageBytes.length == 0) {
                throw new ImageDecodeException(ImageDecodeException.Reason.EMPTY,
                        "event " + task.eventId() + " reached " + stage + " without image bytes");
            }
            pixels = model.preprocess(task.imageBytes);
        }
    }

    /** The pixels; {@code null} before {@link #preprocessOnce}. */
    public final PixelValues pixels() {
        return pixels;
    }
}
