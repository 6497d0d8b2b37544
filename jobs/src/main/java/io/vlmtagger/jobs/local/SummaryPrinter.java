package io.vlmtagger.jobs.local;

import io.vlmtagger.operators.search.lucene.SearchHit;
import io.vlmtagger.schemas.ChatAnswer;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Prints a {@link RunReport} as plain-text tables. */
final class SummaryPrinter {

    private static final int MAX_CELL = 60;

    static void print(RunReport r, LocalCheckpoints.Resolved checkpoints, PrintStream out) {
        out.println();
        out.println("==================================== summary ====================================");
        out.println("caption model: " + checkpoints.captionDir() + " (" + checkpoints.captionKind().description() + ")");
        out.println("chat model:    " + (checkpoints.chatDir() == null ? "-" : checkpoints.chatDir().toString())
                + " (" + checkpoints.chatKind().description() + ")");
        out.println();

        boolean withTruth = r.images().values().stream().anyMatch(i -> i.truth() != null);
        List<String> header = new ArrayList<>(List.of("image", "caption", "tags"));
        if (withTruth) {
            header.add(1, "generated as");
        }
        List<List<String>> rows = new ArrayList<>();
        List<EnrichedImage> sorted = new ArrayList<>(r.captioned());
        sorted.sort(Comparator.comparing(EnrichedImage::getEventId));
        for (EnrichedImage e : sorted) {
            LocalImages.LocalImage img = r.images().get(e.getEventId());
            List<String> row = new ArrayList<>();
            row.add(img == null ? e.getEventId() : img.name());
            if (withTruth) {
                row.add(img == null || img.truth() == null ? "" : img.truth());
            }
            row.add(e.getCaption() == null ? "" : e.getCaption());
            row.add(String.join(", ", e.getTags()));
            rows.add(row);
        }
        table(out, header, rows);

        if (r.fewShot() != null) {
            printFewShot(r.fewShot(), checkpoints, out);
        }

        if (!r.answers().isEmpty()) {
            out.println();
            out.println("conversation (LLaVA, history in Flink keyed state):");
            List<List<String>> chat = new ArrayList<>();
            for (ChatAnswer a : r.answers()) {
                chat.add(List.of(a.getConversationId(), String.valueOf(a.getTurn()), a.getQuestion(), a.getAnswer()));
            }
            table(out, List.of("conversation", "turn", "question", "answer"), chat);
        }

        out.println();
        out.printf(Locale.ROOT, "throughput: %.2f images/s (%d captioned)%n", r.imagesPerSecond(), r.captioned().size());
        out.println("latency, event created -> visible to a read_committed consumer: " + pct(r.latencyMs()));
        out.println("  (includes waiting for the checkpoint that commits the Kafka transaction)");
        out.println("latency in the job, record received -> caption emitted:       " + pct(r.processingMs()));
        out.println("model time per batch (BLIP-2 generate):                       " + pct(r.inferenceMs()));

        out.println();
        out.println("dead letters: " + r.deadLetters().size());
        if (!r.deadLetters().isEmpty()) {
            List<List<String>> dl = new ArrayList<>();
            for (DeadLetter d : r.deadLetters()) {
                LocalImages.LocalImage img = d.getEventId() == null ? null : r.images().get(d.getEventId());
                String what = d.getEventId() == null ? "(undecodable)" : img == null ? d.getEventId() : img.name();
                dl.add(List.of(what, d.getStage().toString(), d.getReason(), d.getErrorMessage()));
            }
            dl.sort(Comparator.comparing((List<String> row) -> row.get(0)));
            table(out, List.of("image / event", "stage", "reason", "message"), dl);
        }

        out.println();
        out.println("search index: " + r.indexedDocuments() + " documents; sample query \"" + r.sampleQuery() + "\":");
        if (r.sampleHits().isEmpty()) {
            out.println("  (no hits)");
        }
        for (SearchHit h : r.sampleHits()) {
            LocalImages.LocalImage img = r.images().get(h.eventId());
            String text = h.caption() != null ? h.caption() : h.answer() == null ? "" : "answer: " + h.answer();
            out.printf(Locale.ROOT, "  %.3f  %-16s %s [%s]%n", h.score(), img == null ? h.eventId() : img.name(),
                    cut(text), String.join(", ", h.tags()));
        }
        if (!r.jobFailure().isEmpty()) {
            out.println();
            out.println("JOB FAILED: " + String.join(System.lineSeparator() + "  ", r.jobFailure()));
        } else if (!r.complete()) {
            out.println();
            out.println("INCOMPLETE: not every record had a result or a dead letter before local.timeout.");
        }
        out.println("=================================================================================");
    }

    private static void printFewShot(LocalFewShot.Report f, LocalCheckpoints.Resolved checkpoints, PrintStream out) {
        out.println();
        out.println("few-shot tags (IDEFICS / Flamingo, " + checkpoints.fewShotDir().getFileName() + "): label set '"
                + LocalFewShot.LABEL_SET + "', labels the model never saw in training");
        out.println("  exemplars of round 1:                    " + LocalRunner.exemplarText(f.before()));
        out.println("  round 2, after replacing them mid-run:   " + LocalRunner.exemplarText(f.after()));
        List<List<String>> rows = new ArrayList<>();
        for (LocalFewShot.Tagged t : f.results()) {
            String round = t.eventId().contains("probe") ? t.round() + " (probe)" : String.valueOf(t.round());
            rows.add(List.of(t.eventId(), round, t.query().file(), t.query().description(), String.join(", ", t.tags())));
        }
        table(out, List.of("event", "round", "image", "generated as", "few-shot tags"), rows);
    }

    private static String pct(java.util.Map<String, Long> p) {
        if (p.isEmpty()) {
            return "-";
        }
        return String.format(Locale.ROOT, "p50 %d ms, p90 %d ms, p99 %d ms, max %d ms",
                p.get("p50"), p.get("p90"), p.get("p99"), p.get("max"));
    }

    static void table(PrintStream out, List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> row : rows) {
                w[i] = Math.max(w[i], cut(row.get(i)).length());
            }
        }
        out.println(line(header, w));
        StringBuilder sep = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            sep.append(i == 0 ? "" : "-+-").append("-".repeat(w[i]));
        }
        out.println(sep);
        for (List<String> row : rows) {
            out.println(line(row, w));
        }
    }

    private static String line(List<String> cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            String c = cut(cells.get(i));
            sb.append(i == 0 ? "" : " | ").append(c).append(" ".repeat(w[i] - c.length()));
        }
        return sb.toString().stripTrailing();
    }

    private static String cut(String s) {
        String one = s == null ? "" : s.replace('\n', ' ');
        return one.length() <= MAX_CELL ? one : one.substring(0, MAX_CELL - 3) + "...";
    }

    private SummaryPrinter() {}
}
