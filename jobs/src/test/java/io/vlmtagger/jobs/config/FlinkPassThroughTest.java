package io.vlmtagger.jobs.config;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlinkPassThroughTest {

    @Test
    void flinksOwnCheckpointAndStateKeysReachTheJobsFlinkConfiguration() {
        JobConfig c = JobConfig.fromArgs("--execution.checkpointing.dir", "file:///ckpt", "--state.backend.type", "hashmap",
                "--execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION",
                "--state.backend.rocksdb.memory.managed", "true");
        Configuration flink = FlinkPassThrough.configuration(c);
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("file:///ckpt");
        assertThat(flink.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
        assertThat(flink.toMap()).containsEntry("state.backend.rocksdb.memory.managed", "true")
                .containsEntry("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION")
                .doesNotContainKey(JobOptions.JOB_NAME.key());
    }

    @Test
    void checkpointDirMeansFilesystemStorageThere() {
        Configuration flink = FlinkPassThrough.configuration(JobConfig.fromArgs("--checkpoint.dir", "s3://bucket/ckpt"));
        assertThat(flink.get(CheckpointingOptions.CHECKPOINT_STORAGE)).isEqualTo("filesystem");
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("s3://bucket/ckpt");
        assertThat(FlinkPassThrough.configuration(JobConfig.defaults()).toMap()).isEmpty();
        // the same directory twice is fine, two different ones are not
        JobConfig.fromArgs("--checkpoint.dir", "file:///a", "--execution.checkpointing.dir", "file:///a");
        refused("--checkpoint.dir", "file:///a", "--state.checkpoints.dir", "file:///b")
                .hasMessage("checkpoint.dir=file:///a and state.checkpoints.dir=file:///b disagree: set one of them");
        refused("--checkpoint.dir", "file:///a", "--execution.checkpointing.storage", "jobmanager").hasMessageContaining("disagree");
    }

    @Test
    void aMistypedFlinkKeyIsRefusedWithTheClosestOnes() {
        refused("--execution.checkpointing.dirr", "file:///x")
                .hasMessageStartingWith("unknown Flink option 'execution.checkpointing.dirr'; did you mean execution.checkpointing.dir");
        refused("--state.backend.typ", "rocksdb").hasMessageContaining("state.backend.type");
    }

    @Test
    void valuesAreCheckedAgainstFlinksTypes() {
        refused("--execution.checkpointing.timeout", "soon")
                .hasMessageStartingWith("invalid value 'soon' for Flink option execution.checkpointing.timeout");
        JobConfig.fromArgs("--execution.checkpointing.timeout", "5 min");
    }

    @Test
    void keysTheJobSetsItselfPointToTheJobsOption() {
        refused("--execution.checkpointing.interval", "5 s")
                .hasMessage("execution.checkpointing.interval is set by the job: use checkpoint.interval");
        refused("--execution.checkpointing.mode", "AT_LEAST_ONCE").hasMessageContaining("EXACTLY_ONCE");
    }

    @Test
    void otherFlinkKeysStayUnknown() {
        refused("--taskmanager.numberOfTaskSlots", "2").hasMessageStartingWith("unknown option 'taskmanager.numberOfTaskSlots'");
    }

    /** {@code JobConfig.fromArgs(args)} throws a {@link ConfigException}; its assertion for the message. */
    private static AbstractThrowableAssert<?, ? extends Throwable> refused(String... args) {
        return assertThatThrownBy(() -> JobConfig.fromArgs(args)).isInstanceOf(ConfigException.class);
    }
}
