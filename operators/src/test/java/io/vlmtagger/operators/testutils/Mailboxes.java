package io.vlmtagger.operators.testutils;

import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Runs a test harness's mailbox on the test thread (the harness's task thread): completions of
 * async operators arrive as mails.
 */
public final class Mailboxes {
    private Mailboxes() {}

    /** Runs the mails already queued. */
    public static void drain(AbstractStreamOperatorTestHarness<?> harness) throws Exception {
        TaskMailbox mailbox = harness.getTaskMailbox();
        while (true) {
            Optional<Mail> mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY);
            if (mail.isEmpty()) {
                return;
            }
            mail.get().run();
        }
    }

    /** Runs mails until {@code condition} holds; fails after {@code max}. */
    public static void drainUntil(AbstractStreamOperatorTestHarness<?> harness, BooleanSupplier condition, Duration max)
            throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            drain(harness);
            if (condition.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + max.toMillis() + " ms; output: " + harness.getOutput());
            }
            Thread.sleep(2);
        }
    }
}
