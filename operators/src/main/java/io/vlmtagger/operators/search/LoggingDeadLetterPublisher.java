package io.vlmtagger.operators.search;

import io.vlmtagger.schemas.DeadLetter;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DeadLetterPublisher} that only writes a WARN line per letter: the default when a job
 * configures no dead-letter topic. The document itself is then only in the log.
 */
public final class LoggingDeadLetterPublisher implements DeadLetterPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(LoggingDeadLetterPublisher.class);

    /** A factory for {@code optDeadLetterPublisher(...)}. */
    public static Factory factory() {
        return subtask -> new LoggingDeadLetterPublisher();
    }

    @Override
    public CompletableFuture<Void> publish(DeadLetter letter) {
        LOG.warn(
                "Dead letter from the search sink: eventId={} stage={} reason={} error={}: {}",
                letter.getEventId(),
                letter.getStage(),
                letter.getReason(),
                letter.getErrorClass(),
                letter.getErrorMessage());
        return CompletableFuture.completedFuture(null);
    }
}
