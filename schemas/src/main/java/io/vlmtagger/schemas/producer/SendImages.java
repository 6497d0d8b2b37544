package io.vlmtagger.schemas.producer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.InlineImage;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * CLI: sends images to the input topic as {@link ImageEvent}s.
 *
 * <pre>
 * SendImages --bootstrap-servers HOST:PORT --topic TOPIC [--question TEXT] [--inline-max-bytes N]
 *            [--source NAME] [--producer-property KEY=VALUE]... FILE-OR-FOLDER...
 * </pre>
 *
 * Folders are walked recursively for image files (jpg, jpeg, png, gif, bmp, webp); files named
 * explicitly are sent whatever their extension. Prints one line per failure and a summary
 * {@code sent=N inline=I by_reference=R failed=F}. Exit code 0 when everything was acknowledged,
 * 1 when some image failed, 2 on a usage error.
 */
public final class SendImages {
    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "gif", "bmp", "webp");

    private SendImages() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, null));
    }

    /** Runs the CLI; {@code producer} replaces the Kafka producer when not null (tests). */
    static int run(String[] args, PrintStream out, PrintStream err, Producer<String, ImageEvent> producer) {
        ImageEventProducer.Builder builder = ImageEventProducer.builder();
        List<Path> inputs = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--bootstrap-servers" -> builder.setBootstrapServers(value(args, ++i, a));
                    case "--topic" -> builder.setTopic(value(args, ++i, a));
                    case "--question" -> builder.optQuestion(value(args, ++i, a));
                    case "--source" -> builder.optSource(value(args, ++i, a));
                    case "--inline-max-bytes" -> builder.optInlineMaxBytes(parseInt(value(args, ++i, a), a));
                    case "--producer-property" -> {
                        String kv = value(args, ++i, a);
                        int eq = kv.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException(a + " needs key=value, got '" + kv + "'");
                        }
                        builder.optProducerProperty(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                    case "-h", "--help" -> {
                        out.println(usage());
                        return 0;
                    }
                    default -> {
                        if (a.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + a);
                        }
                        inputs.add(Path.of(a));
                    }
                }
            }
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException("name at least one image file or folder");
            }
            if (producer != null) {
                builder.optProducer(producer);
            }
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(usage());
            return 2;
        }

        List<Path> files;
        try {
            files = expand(inputs);
        } catch (IOException e) {
            err.println("error: cannot list inputs: " + e.getMessage());
            return 2;
        }
        if (files.isEmpty()) {
            err.println("error: no image files found in " + inputs);
            return 2;
        }

        ImageEventProducer sender;
        try {
            sender = builder.build();
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(usage());
            return 2;
        }
        int sent = 0;
        int inline = 0;
        int failed = 0;
        try (sender) {
            List<Path> sentFiles = new ArrayList<>();
            List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
            List<Boolean> inlineFlags = new ArrayList<>();
            for (Path f : files) {
                try {
                    ImageEvent event = sender.eventForFile(f);
                    futures.add(sender.send(event));
                    sentFiles.add(f);
                    inlineFlags.add(event.getImage() instanceof InlineImage);
                } catch (IOException | RuntimeException e) {
                    failed++;
                    err.println("failed: " + f + ": " + e.getMessage());
                }
            }
            sender.flush();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    futures.get(i).get();
                    sent++;
                    if (inlineFlags.get(i)) {
                        inline++;
                    }
                } catch (ExecutionException e) {
                    failed++;
                    err.println("failed: " + sentFiles.get(i) + ": " + e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    err.println("interrupted while waiting for acknowledgements");
                    return 1;
                }
            }
        }
        out.printf(Locale.ROOT, "sent=%d inline=%d by_reference=%d failed=%d%n", sent, inline, sent - inline, failed);
        return failed == 0 ? 0 : 1;
    }

    static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    files.addAll(walk.filter(Files::isRegularFile).filter(SendImages::isImage).sorted()
                            .collect(Collectors.toList()));
                }
            } else {
                files.add(p);
            }
        }
        return files;
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int parseInt(String s, String option) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number of bytes, got '" + s + "'");
        }
    }

    static String usage() {
        return "usage: SendImages --bootstrap-servers HOST:PORT --topic TOPIC [--question TEXT]"
                + " [--inline-max-bytes N] [--source NAME] [--producer-property KEY=VALUE]... FILE-OR-FOLDER...";
    }
}
