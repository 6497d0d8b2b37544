package io.vlmtagger.operators.ingest;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.regex.Pattern;

import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;

/**
 * Checks a decoded {@link ImageEvent} for what Avro cannot express. Returns the first violation as
 * a stable reason ({@code missing_field}, {@code invalid_field}, {@code unknown_task},
 * {@code missing_question}) plus a message, or null when the event is fine. Tasks a newer producer
 * added read as {@link TaskType#UNKNOWN} (the enum's default); they are ignored next to known
 * tasks (see {@link #unknownTasks}), and an event with no known task is {@code unknown_task}.
 */
public final class EventValidator implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    public static final String MISSING_FIELD = "missing_field";
    public static final String INVALID_FIELD = "invalid_field";
    public static final String UNKNOWN_TASK = "unknown_task";
    public static final String MISSING_QUESTION = "missing_question";

    /** A rule the event broke. */
    public static final class Violation {
        public final String reason;
        public final String message;

        Violation(String reason, String message) {
            this.reason = reason;
            this.message = message;
        }

        @Override
        public String toString() {
            return reason + ": " + message;
        }
    }

    /** How many of the event's tasks this job does not know (and ignores). */
    public static int unknownTasks(ImageEvent event) {
        List<TaskType> tasks = event.getTasks();
        return tasks == null ? 0 : (int) tasks.stream().filter(t -> t == null || t == TaskType.UNKNOWN).count();
    }

    /** The first violation, or null when the event may proceed. */
    public Violation validate(ImageEvent event) {
        if (event.getEventId() == null || event.getEventId().isBlank()) {
            return new Violation(MISSING_FIELD, "eventId is empty");
        }
        if (event.getSource() == null) {
            return new Violation(MISSING_FIELD, "source is missing");
        }
        Object image = event.getImage();
        if (image instanceof InlineImage) {
            ByteBuffer data = ((InlineImage) image).getData();
            if (data == null || !data.hasRemaining()) {
                return new Violation(MISSING_FIELD, "image.data is empty");
            }
        } else if (image instanceof ImageRef) {
            ImageRef ref = (ImageRef) image;
            if (ref.getUri() == null || ref.getUri().isBlank()) {
                return new Violation(MISSING_FIELD, "image.uri is empty");
            }
            if (ref.getSha256() != null && !SHA256_HEX.matcher(ref.getSha256()).matches()) {
                return new Violation(INVALID_FIELD, "image.sha256 must be 64 hex digits");
            }
        } else {
            return new Violation(MISSING_FIELD, "image is missing");
        }
        List<TaskType> tasks = event.getTasks();
        if (tasks == null || tasks.isEmpty()) {
            return new Violation(MISSING_FIELD, "tasks is empty: name at least one of CAPTION, CHAT, FEW_SHOT_TAGS");
        }
        if (tasks.stream().allMatch(t -> t == null || t == TaskType.UNKNOWN)) {
            return new Violation(UNKNOWN_TASK, "no requested task is known to this job (tasks of a newer producer"
                    + " read as UNKNOWN): " + tasks + "; name at least one of CAPTION, CHAT, FEW_SHOT_TAGS");
        }
        if (tasks.contains(TaskType.CHAT) && (event.getQuestion() == null || event.getQuestion().isBlank())) {
            return new Violation(MISSING_QUESTION, "the CHAT task needs a question");
        }
        return null;
    }
}
