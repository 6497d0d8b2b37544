package io.vlmtagger.jobs.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Kafka broker ({@link BrokerMain}) in a child JVM started with this JVM's {@code java} and class
 * path, so that a benchmark's own heap and RSS hold only the job. The child's output goes to a log
 * file; closing this object closes the child's standard input, which makes it shut down.
 */
final class BrokerProcess implements AutoCloseable {
    private static final Duration READY_WAIT = Duration.ofMinutes(2);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final Process process;
    private final String bootstrapServers;

    private BrokerProcess(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts the child with {@code -Xmx<maxHeap>} and waits until its topics have leaders. */
    static BrokerProcess start(String maxHeap, Path log, int partitions, String... topics) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + maxHeap);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BrokerMain.class.getName());
        cmd.add(Integer.toString(partitions));
        cmd.addAll(List.of(topics));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread pump = new Thread(() -> pump(p, log, ready), "broker-log");
        pump.setDaemon(true);
        pump.start();
        try {
            return new BrokerProcess(p, ready.get(READY_WAIT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new IllegalStateException("the broker child did not report ready within " + READY_WAIT + "; see " + log, e);
        }
    }

    /** Copies the child's output to the log and completes {@code ready} with the bootstrap address. */
    private static void pump(Process p, Path log, CompletableFuture<String> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(line);
                if (line.startsWith(BrokerMain.READY_PREFIX)) {
                    ready.complete(line.substring(BrokerMain.READY_PREFIX.length()).trim());
                }
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
        ready.completeExceptionally(new IllegalStateException("the broker child closed its output"));
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.getOutputStream().close();
        if (!process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
