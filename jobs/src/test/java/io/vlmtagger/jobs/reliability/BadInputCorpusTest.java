package io.vlmtagger.jobs.reliability;

import io.vlmtagger.jobs.reliability.BadInputCorpus.Category;
import io.vlmtagger.jobs.reliability.BadInputCorpus.Item;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.operators.runtime.Failures;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.serde.AvroCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The corpus itself, without Flink: it is large enough and covers every category, and each inline
 * image's expected outcome is what the real decoder says (so the ITCase's expectations are not
 * guesses). The decode itself runs again inside the job in {@link BadInputCorpusITCase}.
 */
class BadInputCorpusTest {

    @TempDir
    Path tmp;

    @Test
    void coversEveryCategoryWithAtLeastAHundredInputs() {
        List<Item> items = BadInputCorpus.generate(env());
        System.out.println("bad-input corpus: " + items.size() + " inputs");
        assertThat(items).hasSizeGreaterThanOrEqualTo(100);
        Map<Category, Integer> counts = new EnumMap<>(Category.class);
        items.forEach(i -> counts.merge(i.category(), 1, Integer::sum));
        assertThat(counts.keySet()).containsExactlyInAnyOrder(Category.values());
        assertThat(items.stream().filter(i -> i.eventId() != null).map(Item::eventId).distinct().count())
                .isEqualTo(items.stream().filter(i -> i.eventId() != null).count());
        assertThat(new HashSet<>(items.stream().map(Item::description).toList())).hasSize(items.size());
    }

    @Test
    void inlineImageExpectationsAreWhatTheRealDecoderSays() throws Exception {
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
        DecodingCaptioner decoder = new DecodingCaptioner();
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        for (Item item : BadInputCorpus.generate(env())) {
            boolean image = item.category() == Category.BROKEN_IMAGE || item.category() == Category.BOMB
                    || item.category() == Category.ODD_IMAGE;
            if (!image || item.expected().startsWith("DECODE/")) {
                continue;
            }
            ImageEvent e = codec.decode(item.value());
            ByteBuffer data = ((InlineImage) e.getImage()).getData();
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            String actual;
            try {
                decoder.preprocess(bytes);
                actual = BadInputCorpus.PROCESSED;
            } catch (ImageDecodeException ex) {
                actual = "PREPROCESS/" + Failures.reasonOf(ex);
            }
            checked++;
            if (!actual.equals(item.expected())) {
                mismatches.add(item.description() + ": expected " + item.expected() + " but the decoder gives " + actual);
            }
        }
        assertThat(checked).isGreaterThan(40);
        assertThat(mismatches).isEmpty();
    }

    private BadInputCorpus.Env env() {
        return new BadInputCorpus.Env(tmp.resolve("root"), tmp.resolve("root/in.png"), tmp.resolve("secret.png"),
                "http://127.0.0.1:1", 2);
    }
}
