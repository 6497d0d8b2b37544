package io.vlmtagger.jobs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The embedded Flink cluster of a run in one JVM (plain {@code java}, the local runner): its REST
 * endpoint, blob server and TaskManager bind to the loopback interface only, so that nobody on the
 * network can submit or cancel jobs on a laptop running the pipeline.
 */
public final class LoopbackCluster {
    /** The address every embedded endpoint binds to. */
    public static final String LOOPBACK = "127.0.0.1";

    private LoopbackCluster() {}

    /** A copy of {@code base} whose embedded endpoints bind to {@value #LOOPBACK}. */
    public static Configuration configuration(Configuration base) {
        Configuration c = new Configuration(base);
        c.set(RestOptions.BIND_ADDRESS, LOOPBACK);
        c.set(RestOptions.ADDRESS, LOOPBACK);
        c.set(JobManagerOptions.BIND_HOST, LOOPBACK);
        c.set(JobManagerOptions.ADDRESS, LOOPBACK);
        c.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
        c.set(TaskManagerOptions.HOST, LOOPBACK);
        return c;
    }

    /** A local environment (MiniCluster on execute) bound to the loopback interface. */
    public static StreamExecutionEnvironment environment(int parallelism, Configuration base) {
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, configuration(base));
    }
}
