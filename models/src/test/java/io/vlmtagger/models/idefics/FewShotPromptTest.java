package io.vlmtagger.models.idefics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.api.LabeledExample;
import io.vlmtagger.models.pipeline.FewShotPrompt;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.weights.SafetensorsFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FewShotPromptTest {
    private static final long FAKE = 128;
    private static final long IMAGE = 129;

    /** A toy encoder: one id per character (ids 3..), so that the layout is easy to read back. */
    private static long[] encode(String s) {
        return s.chars().mapToLong(c -> 3 + (c % 100)).toArray();
    }

    @Test
    void interleavesEachExemplarWithItsLabelsAndEndsWithTheOpenQuery() {
        List<LabeledExample> examples = List.of(
                new LabeledExample(new byte[] {1}, List.of("red", "circle"), null),
                new LabeledExample(new byte[] {2}, List.of(), "a blue square"));
        FewShotPrompt.Ids p = FewShotPrompt.build(examples, "Tag.", FewShotPromptTest::encode, 1, FAKE, IMAGE);

        assertThat(p.images()).isEqualTo(3);
        assertThat(p.ids()[0]).isEqualTo(1);
        assertThat(Arrays.stream(p.ids()).filter(id -> id == IMAGE).count()).isEqualTo(3);
        long[] tail = Arrays.copyOfRange(p.ids(), p.ids().length - encode("Tags:").length - 3, p.ids().length);
        assertThat(Arrays.copyOf(tail, 3)).containsExactly(FAKE, IMAGE, FAKE);
        assertThat(FewShotPrompt.labelText(examples.get(0))).isEqualTo("red, circle");
        assertThat(FewShotPrompt.labelText(examples.get(1))).isEqualTo("a blue square");

        long[][][] mask = ImageAttentionMasks.forPrompt(new long[][] {p.ids()}, new long[][] {ones(p.ids().length)},
                IMAGE, 2, p.images());
        // every label token reads only its own exemplar's image; the answer reads the query (slot 2)
        int firstImage = indexOf(p.ids(), IMAGE, 0);
        int secondImage = indexOf(p.ids(), IMAGE, firstImage + 1);
        assertThat(mask[0][firstImage - 1]).containsExactly(0, 0, 0);
        assertThat(mask[0][firstImage + 2]).containsExactly(1, 0, 0);
        assertThat(mask[0][secondImage - 1]).containsExactly(1, 0, 0);
        assertThat(mask[0][secondImage]).containsExactly(0, 1, 0);
        assertThat(mask[0][p.ids().length - 1]).containsExactly(0, 0, 1);
    }

    @Test
    void parsesTheFirstTagLine() {
        assertThat(FewShotPrompt.parseTags(" Red, circle , red.\nTags: blue")).containsExactly("red", "circle");
        assertThat(FewShotPrompt.parseTags(" ,\n")).isEmpty();
        assertThat(FewShotPrompt.parseTags(" square")).containsExactly("square");
    }

    @Test
    void maskBuilderReproducesTheProcessorMaskOfTheFixture() {
        Path dir = FixtureCheckpoints.sharedDir().resolve("fixtures/hf-parity-flamingo/idefics-llama-tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> io = SafetensorsFile.open(dir.resolve("io.safetensors")).readAll(m);
            long[][] ids = rows(io.get("input_ids"));
            long[][] mask = rows(io.get("attention_mask"));
            int slots = (int) io.get("image_attention_mask").getShape().get(2);
            long[][][] built = ImageAttentionMasks.forPrompt(ids, mask, IMAGE, 2, slots);
            assertThat(ImageAttentionMasks.toArray(m, built).toLongArray())
                    .containsExactly(io.get("image_attention_mask").toLongArray());
        }
    }

    private static long[] ones(int n) {
        long[] a = new long[n];
        Arrays.fill(a, 1);
        return a;
    }

    private static int indexOf(long[] ids, long id, int from) {
        for (int i = from; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    private static long[][] rows(NDArray a) {
        int b = (int) a.getShape().get(0);
        int t = (int) a.getShape().get(1);
        long[] flat = a.toLongArray();
        long[][] out = new long[b][t];
        for (int r = 0; r < b; r++) {
            System.arraycopy(flat, r * t, out[r], 0, t);
        }
        return out;
    }
}
