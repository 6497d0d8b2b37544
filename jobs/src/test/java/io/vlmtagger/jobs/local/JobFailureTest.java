package io.vlmtagger.jobs.local;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.JobException;
import org.apache.flink.runtime.client.JobExecutionException;
import org.apache.flink.util.FlinkRuntimeException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

class JobFailureTest {

    @Test
    void namesTheFirstExceptionUnderFlinksRestartWrappers() {
        IOException size = new IOException("Size of the state is larger than the maximum permitted memory-backed state."
                + " Size=12767627, maxSize=5242880");
        FlinkRuntimeException threshold = new FlinkRuntimeException("Exceeded checkpoint tolerable failure threshold", size);
        Throwable failure = new ExecutionException(new JobExecutionException(new JobID(), "Job execution failed.",
                new JobException("Recovery is suppressed by FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts=3)",
                        threshold)));

        assertThat(JobFailure.cause(failure)).isSameAs(threshold);
        assertThat(JobFailure.describe(failure)).containsExactly(
                "org.apache.flink.util.FlinkRuntimeException: Exceeded checkpoint tolerable failure threshold",
                "caused by: java.io.IOException: Size of the state is larger than the maximum permitted memory-backed state."
                        + " Size=12767627, maxSize=5242880");
    }

    @Test
    void aCauseRepeatedInItsWrappersMessageIsPrintedOnce() {
        IllegalStateException root = new IllegalStateException("checkpoint /models/x has no config.json");
        RuntimeException wrapper = new RuntimeException(root); // message: the root's toString()
        assertThat(JobFailure.describe(wrapper)).containsExactly(wrapper.toString());
        assertThat(JobFailure.cause(root)).isSameAs(root);
    }
}
