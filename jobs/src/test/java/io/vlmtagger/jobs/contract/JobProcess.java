package io.vlmtagger.jobs.contract;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code TaggingJob} started the way a user starts it without Flink: {@code java -cp <the jobs
 * module's classes and runtime classpath> io.vlmtagger.jobs.TaggingJob --key value ...}. No test
 * classes or test resources are on its classpath, so log4j finds the job jar's own configuration.
 * Output goes to files, read while the process runs.
 */
final class JobProcess implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private JobProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static JobProcess start(Path workDir, String name, List<String> args) throws IOException {
        String runtime = Files.readString(Path.of("target/runtime-classpath.txt")).trim();
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        cmd.add("-Xmx1g");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Dvlmtagger.cache-dir=" + Path.of("target/vlm-tagger-cache").toAbsolutePath());
        cmd.add("-cp");
        cmd.add(Path.of("target/classes").toAbsolutePath() + File.pathSeparator + runtime);
        cmd.add("io.vlmtagger.jobs.TaggingJob");
        cmd.addAll(args);
        Path out = workDir.resolve(name + ".out");
        Path err = workDir.resolve(name + ".err");
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new JobProcess(p, out, err);
    }

    long pid() {
        return process.pid();
    }

    String stdout() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    /** Waits for the process to end; returns its exit code, or -1 after {@code timeout} (then it still runs). */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** Waits until stdout contains {@code text}; false when the process ended or {@code timeout} passed first. */
    boolean awaitOutput(String text, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (stdout().contains(text)) {
                return true;
            }
            if (!process.isAlive()) {
                return stdout().contains(text);
            }
            Thread.sleep(200);
        }
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
