package io.vlmtagger.jobs;

import io.vlmtagger.jobs.testutils.ListeningSockets;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the embedded Flink cluster of a run in one JVM (the local runner, plain `java`) opens to the
 * network: with {@link LoopbackCluster} every socket it listens on (REST endpoint, blob server,
 * TaskManager) is bound to the loopback interface; Flink's default binds some to all interfaces.
 */
class LoopbackClusterITCase {

    @Test
    void theEmbeddedClusterListensOnLoopbackOnly() throws Exception {
        assumeTrue(ListeningSockets.available(), "needs Linux /proc to list this JVM's listening sockets");
        List<ListeningSockets.Listener> opened = listenersWhileRunning(LoopbackCluster.environment(1, new Configuration()));
        assertThat(opened).as("the REST endpoint at least").isNotEmpty();
        assertThat(opened).allSatisfy(l -> assertThat(l.loopback())
                .as("port %d listens on %s", l.port(), l.address()).isTrue());
    }

    @Test
    void flinksDefaultLocalEnvironmentDoesNot() throws Exception {
        assumeTrue(ListeningSockets.available(), "needs Linux /proc to list this JVM's listening sockets");
        List<ListeningSockets.Listener> opened = listenersWhileRunning(
                StreamExecutionEnvironment.createLocalEnvironment(1, new Configuration()));
        assertThat(opened).as("what the check above would catch").anyMatch(l -> !l.loopback());
    }

    private static List<ListeningSockets.Listener> listenersWhileRunning(StreamExecutionEnvironment env) throws Exception {
        Set<Long> before = ListeningSockets.ofThisProcess().stream().map(ListeningSockets.Listener::inode)
                .collect(Collectors.toSet());
        env.fromSequence(0, Long.MAX_VALUE).sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("loopback-check");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (job.getJobStatus().get() != JobStatus.RUNNING && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            return ListeningSockets.ofThisProcess().stream().filter(l -> !before.contains(l.inode())).toList();
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }
}
