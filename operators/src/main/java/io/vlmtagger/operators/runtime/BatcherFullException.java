package io.vlmtagger.operators.runtime;

import java.util.concurrent.RejectedExecutionException;

/**
 * {@link MicroBatcher#submit} was called with {@code capacity} requests already in flight. The
 * batcher fails fast instead of blocking, because the caller is usually Flink's task thread, and
 * blocking it would also block checkpoints and the very mails that complete earlier requests.
 */
class BatcherFullException extends RejectedExecutionException {
    BatcherFullException(String message) {
        super(message);
    }
}
