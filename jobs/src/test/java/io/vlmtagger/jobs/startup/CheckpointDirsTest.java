package io.vlmtagger.jobs.startup;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Local checkpoint, savepoint and recovery paths, checked before the job starts. */
class CheckpointDirsTest {

    @TempDir
    Path tmp;

    @Test
    void aMissingCheckpointDirectoryIsCreatedAndAnUnusableOneIsReported() throws Exception {
        Configuration ok = new Configuration();
        ok.setString("execution.checkpointing.dir", "file://" + tmp.resolve("new/checkpoints"));
        ok.setString("execution.checkpointing.savepoint-dir", tmp.resolve("savepoints").toString());
        assertThat(CheckpointDirs.problems(ok)).isEmpty();
        assertThat(tmp.resolve("new/checkpoints")).isDirectory();
        assertThat(tmp.resolve("savepoints")).isDirectory();

        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Configuration bad = new Configuration();
        bad.setString("execution.checkpointing.dir", file.resolve("below-a-file").toString());
        bad.setString("execution.checkpointing.savepoint-dir", file.toString());
        assertThat(CheckpointDirs.problems(bad)).satisfiesExactly(
                p -> assertThat(p).contains("checkpoint directory " + file.resolve("below-a-file"))
                        .contains("execution.checkpointing.dir").contains("cannot be created").contains("mkdir -p"),
                p -> assertThat(p).contains("savepoint directory " + file).contains("is a file, not a directory"));
    }

    @Test
    void aMissingRecoveryPathIsReportedRemoteFileSystemsAreLeftToFlink() {
        Configuration c = new Configuration();
        c.setString("execution.state-recovery.path", tmp.resolve("chk-42").toString());
        c.setString("execution.checkpointing.dir", "s3://bucket/checkpoints");
        assertThat(CheckpointDirs.problems(c)).singleElement().asString()
                .contains(tmp.resolve("chk-42").toString()).contains("execution.state-recovery.path").contains("does not exist");
        assertThat(CheckpointDirs.problems(new Configuration())).isEmpty();
    }
}
