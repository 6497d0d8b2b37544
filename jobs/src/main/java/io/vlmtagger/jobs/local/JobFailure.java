package io.vlmtagger.jobs.local;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Why a Flink job failed, as a person would say it: the first exception of the chain that is not
 * one of Flink's or the JDK's wrappers ({@code ExecutionException}, {@code JobExecutionException:
 * Job execution failed}, {@code JobException: Recovery is suppressed by ...RestartBackoffTimeStrategy}),
 * followed by the exceptions it was caused by.
 */
final class JobFailure {
    private static final int MAX_CAUSES = 4;

    private JobFailure() {}

    /** The first exception of {@code t}'s chain that is not a wrapper (t itself if all are). */
    static Throwable cause(Throwable t) {
        Throwable cur = t;
        while (isWrapper(cur) && cur.getCause() != null && cur.getCause() != cur) {
            cur = cur.getCause();
        }
        return cur;
    }

    /** {@link #cause} and up to three exceptions under it, one per line: {@code "caused by: ..."}. */
    static List<String> describe(Throwable t) {
        List<String> lines = new ArrayList<>();
        Throwable cur = cause(t);
        String previous = null;
        while (cur != null && lines.size() < MAX_CAUSES) {
            String line = cur.toString();
            if (previous == null || !previous.contains(String.valueOf(cur.getMessage()))) {
                lines.add(lines.isEmpty() ? line : "caused by: " + line);
            }
            previous = line;
            cur = cur.getCause() == cur ? null : cur.getCause();
        }
        return lines;
    }

    private static boolean isWrapper(Throwable t) {
        if (t instanceof ExecutionException || t instanceof CompletionException
                || t instanceof InvocationTargetException || t instanceof UndeclaredThrowableException) {
            return true;
        }
        String name = t.getClass().getName();
        String message = String.valueOf(t.getMessage());
        return name.equals("org.apache.flink.runtime.client.JobExecutionException")
                || (name.equals("org.apache.flink.runtime.JobException") && message.startsWith("Recovery is suppressed"))
                || (name.equals("org.apache.flink.runtime.client.JobInitializationException") && t.getCause() != null);
    }
}
