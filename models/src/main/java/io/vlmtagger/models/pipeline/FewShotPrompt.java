package io.vlmtagger.models.pipeline;

import io.vlmtagger.models.api.LabeledExample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * The IDEFICS few-shot tagging prompt: exemplars interleaved with their labels, then the query
 * image with the label prefix left open, as IdeficsProcessor lays images out ({@code
 * <fake_token_around_image> <image> <fake_token_around_image>} per image, images not expanded):
 *
 * <pre>
 * &lt;s&gt;{instruction}\n
 * &lt;fake&gt;&lt;image&gt;&lt;fake&gt;Tags: red, circle.\n          (exemplar 1)
 * &lt;fake&gt;&lt;image&gt;&lt;fake&gt;Tags: blue, square.\n         (exemplar 2)
 * &lt;fake&gt;&lt;image&gt;&lt;fake&gt;Tags:                       (the query; the model completes it)
 * </pre>
 *
 * An exemplar without tags shows its caption ({@code Tags: a red circle.}). Each text position
 * cross-attends only the most recent image, so an exemplar's labels read its own image and the
 * answer reads the query. The answer is parsed by {@link #parseTags}: up to the first newline or
 * full stop, split on commas, trimmed, lower-cased, duplicates dropped.
 */
public final class FewShotPrompt {
    public static final String DEFAULT_INSTRUCTION = "Tag each image with the labels of the examples.";
    public static final String ANSWER_PREFIX = "Tags:";

    private FewShotPrompt() {}

    /** Prompt ids and the number of images (exemplars + 1, image slot k = k-th image in the prompt). */
    public record Ids(long[] ids, int images) {}

    /**
     * @param encode text -> ids without special tokens
     * @param bos the id prepended, or a negative value for none
     */
    public static Ids build(List<LabeledExample> examples, String instruction, Function<String, long[]> encode,
            long bos, long fakeTokenId, long imageTokenId) {
        long[] head = exemplarPart(examples, instruction, encode, bos, fakeTokenId, imageTokenId);
        long[] tail = queryPart(encode, fakeTokenId, imageTokenId);
        long[] out = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return new Ids(out, examples.size() + 1);
    }

    /**
     * The prompt up to the query: bos, the instruction line and every exemplar with its labels.
     * The same for every query of one exemplar set, so it is built once per set.
     */
    public static long[] exemplarPart(List<LabeledExample> examples, String instruction,
            Function<String, long[]> encode, long bos, long fakeTokenId, long imageTokenId) {
        List<Long> ids = new ArrayList<>();
        if (bos >= 0) {
            ids.add(bos);
        }
        add(ids, encode.apply(instruction + "\n"));
        for (LabeledExample e : examples) {
            ids.add(fakeTokenId);
            ids.add(imageTokenId);
            ids.add(fakeTokenId);
            add(ids, encode.apply(ANSWER_PREFIX + " " + labelText(e) + ".\n"));
        }
        long[] out = new long[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.get(i);
        }
        return out;
    }

    /** The query's part: its image between the fake tokens and the open {@value #ANSWER_PREFIX} line. */
    public static long[] queryPart(Function<String, long[]> encode, long fakeTokenId, long imageTokenId) {
        long[] answer = encode.apply(ANSWER_PREFIX);
        long[] out = new long[3 + answer.length];
        out[0] = fakeTokenId;
        out[1] = imageTokenId;
        out[2] = fakeTokenId;
        System.arraycopy(answer, 0, out, 3, answer.length);
        return out;
    }

    /** How an exemplar's labels appear in the prompt: its tags joined by ", ", else its caption. */
    public static String labelText(LabeledExample e) {
        return e.tags().isEmpty() ? e.caption().strip() : String.join(", ", e.tags());
    }

    /** Tags from an answer such as {@code " red, circle.\n..."}. */
    public static List<String> parseTags(String answer) {
        String first = answer;
        int cut = first.length();
        for (char c : new char[] {'\n', '.'}) {
            int i = first.indexOf(c);
            if (i >= 0) {
                cut = Math.min(cut, i);
            }
        }
        Set<String> tags = new LinkedHashSet<>();
        for (String part : first.substring(0, cut).split(",")) {
            String t = part.strip().toLowerCase(Locale.ROOT);
            if (!t.isEmpty()) {
                tags.add(t);
            }
        }
        return List.copyOf(tags);
    }

    private static void add(List<Long> ids, long[] more) {
        for (long id : more) {
            ids.add(id);
        }
    }
}
