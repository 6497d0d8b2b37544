package io.vlmtagger.jobs.reliability;

import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;
import io.vlmtagger.schemas.serde.AvroCodec;

import io.vlmtagger.models.testutil.PhotoFiles;
import io.vlmtagger.models.testutil.PhotoFiles.Kind;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Random;

/**
 * A generated corpus of bad and odd inputs for the tagging job, each with the outcome the job must
 * give: {@link #PROCESSED} (an enriched record or a chat answer) or a dead letter {@code STAGE/reason}.
 * Every category of issue 6 is covered: broken images (truncated, corrupt, empty, wrong magic), a
 * decompression bomb, odd but valid images (CMYK, 16-bit, grayscale, alpha, palette), bad records
 * (another schema, random bytes, missing fields, oversized), bad URIs (unknown schemes, outside the
 * allowed root, closed port, slower than the timeout, redirect to a disallowed host, credentials),
 * and bad text (a question far beyond the context length, non-UTF-8 bytes).
 *
 * <p>Deterministic: the same {@link Env} gives the same bytes (fixed seeds).
 */
public final class BadInputCorpus {
    /** Expected outcome of an input that must be processed. */
    public static final String PROCESSED = "processed";

    /** Groups for the per-category summary. */
    public enum Category { BROKEN_IMAGE, BOMB, ODD_IMAGE, BAD_RECORD, BAD_URI, BAD_TEXT }

    /**
     * One input: the Kafka record value sent as is (null: a tombstone), and the expected outcome.
     * {@code eventId} is null for records that cannot be decoded (their dead letters are matched by
     * original bytes).
     */
    public record Item(String eventId, Category category, String description, byte[] value, String expected) {
        public boolean isChat() {
            return description.startsWith("question");
        }
    }

    /**
     * Where the URI cases point: an allowed root with a missing and a present file, a file outside it,
     * an HTTP server's base URL (paths {@code /ok.png}, {@code /slow.png}, {@code /big.png}, {@code
     * /redirect-out}, {@code /missing.png}: 404, {@code /error}: 500) and a closed port on the same host.
     */
    public record Env(Path allowedRoot, Path insideFile, Path outsideFile, String httpBase, int closedPort) {}

    /** Reasons as the job writes them. */
    public static String dl(FailureStage stage, String reason) {
        return stage.name() + "/" + reason;
    }

    private final Env env;
    private final AvroCodec<ImageEvent> events = AvroCodec.of(ImageEvent.class);
    private final List<Item> items = new ArrayList<>();
    private int next;

    private BadInputCorpus(Env env) {
        this.env = env;
    }

    /** The whole corpus for {@code env}. */
    public static List<Item> generate(Env env) {
        BadInputCorpus c = new BadInputCorpus(env);
        c.brokenImages();
        c.bombs();
        c.oddImages();
        c.badRecords();
        c.badUris();
        c.badText();
        return List.copyOf(c.items);
    }

    private void brokenImages() {
        byte[] jpeg = TestImages.jpegRgb(64, 48);
        byte[] png = TestImages.pngRgb(64, 48);
        String corrupt = dl(FailureStage.PREPROCESS, "corrupt_image");
        // cut inside the entropy-coded data or the headers: never a whole image
        for (int cut : new int[] {2, 20, 100, 160, jpeg.length / 2}) {
            inline(Category.BROKEN_IMAGE, "jpeg truncated to " + cut + " bytes", Arrays.copyOf(jpeg, cut), corrupt);
        }
        for (int cut : new int[] {8, 20, 40, png.length / 2}) {
            inline(Category.BROKEN_IMAGE, "png truncated to " + cut + " bytes", Arrays.copyOf(png, cut), corrupt);
        }
        // only the tail lost (JPEG: the last scan bytes and EOI; PNG: IEND and the IDAT checksum): the
        // decoders salvage every row, as PIL does with LOAD_TRUNCATED_IMAGES, and the image is captioned
        inline(Category.BROKEN_IMAGE, "jpeg missing its last 40 bytes", Arrays.copyOf(jpeg, jpeg.length - 40), PROCESSED);
        inline(Category.BROKEN_IMAGE, "png missing its last 20 bytes", Arrays.copyOf(png, png.length - 20), PROCESSED);
        Random rnd = new Random(6);
        for (int i = 0; i < 5; i++) {
            byte[] b = png.clone();
            for (int k = 60; k < b.length - 12; k += 7) {
                b[k] = (byte) rnd.nextInt(256);
            }
            inline(Category.BROKEN_IMAGE, "png with scrambled IDAT #" + i, b, corrupt);
        }
        for (int i = 0; i < 3; i++) {
            byte[] b = jpeg.clone();
            int sos = TestImages.indexOfMarker(b, 0xDA);
            Arrays.fill(b, 2, sos, (byte) (0x11 * (i + 1))); // headers gone, scan data kept
            inline(Category.BROKEN_IMAGE, "jpeg with garbage headers #" + i, b, corrupt);
        }
        inline(Category.BROKEN_IMAGE, "zero bytes", new byte[0], dl(FailureStage.DECODE, "missing_field"));
        String unsupported = dl(FailureStage.PREPROCESS, "unsupported_format");
        inline(Category.BROKEN_IMAGE, "plain text", "hello, I am not an image".getBytes(StandardCharsets.UTF_8), unsupported);
        inline(Category.BROKEN_IMAGE, "pdf magic", "%PDF-1.7\n%\u00e2\u00e3\n1 0 obj".getBytes(StandardCharsets.ISO_8859_1), unsupported);
        inline(Category.BROKEN_IMAGE, "zip magic", new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0}, unsupported);
        byte[] pngBodyJpegMagic = png.clone();
        pngBodyJpegMagic[0] = (byte) 0xFF;
        pngBodyJpegMagic[1] = (byte) 0xD8;
        pngBodyJpegMagic[2] = (byte) 0xFF;
        inline(Category.BROKEN_IMAGE, "png body behind jpeg magic", pngBodyJpegMagic, corrupt);
        for (int i = 0; i < 5; i++) {
            byte[] random = new byte[64 + 50 * i];
            new Random(100 + i).nextBytes(random);
            random[0] = 0x01; // no format starts with 0x01
            inline(Category.BROKEN_IMAGE, "random bytes as image #" + i, random, unsupported);
        }
        // formats nobody here reads: recognised by their magic bytes, named in the message
        BufferedImage photo = PhotoFiles.photo(64, 48, 16, 8);
        inline(Category.BROKEN_IMAGE, "heic photo", PhotoFiles.encode(Kind.HEIC, photo), unsupported);
        inline(Category.BROKEN_IMAGE, "avif photo", PhotoFiles.encode(Kind.AVIF, photo), unsupported);
        inline(Category.BROKEN_IMAGE, "jpeg xl codestream", new byte[] {(byte) 0xFF, 0x0A, (byte) 0xFA, 0x7F, 0, 0, 0, 0}, unsupported);
        byte[] tiff = PhotoFiles.encode(Kind.TIFF_LZW, photo);
        inline(Category.BROKEN_IMAGE, "tiff truncated inside its strips", Arrays.copyOf(tiff, tiff.length / 3), corrupt);
        byte[] webp = PhotoFiles.encode(Kind.WEBP_LOSSLESS, photo);
        inline(Category.BROKEN_IMAGE, "webp cut inside its prefix codes", Arrays.copyOf(webp, 40), corrupt);
        // the lossless WebP reader, like the JPEG and PNG ones, salvages the rows before the cut
        inline(Category.BROKEN_IMAGE, "webp missing its second half", Arrays.copyOf(webp, webp.length / 2), PROCESSED);
    }

    private void bombs() {
        String tooLarge = dl(FailureStage.PREPROCESS, "too_large");
        inline(Category.BOMB, "png header claiming 50000x50000", TestImages.pngHeaderOnly(50_000, 50_000), tooLarge);
        // within the budget: the decoder gets to the (missing) pixel data and calls it corrupt
        inline(Category.BOMB, "png header claiming 100000x1", TestImages.pngHeaderOnly(100_000, 1),
                dl(FailureStage.PREPROCESS, "corrupt_image"));
        inline(Category.BOMB, "png header claiming 7000x7000", TestImages.pngHeaderOnly(7_000, 7_000), tooLarge);
        inline(Category.BOMB, "jpeg SOF claiming 60000x60000", TestImages.jpegWithSize(TestImages.jpegRgb(16, 16), 60_000, 60_000), tooLarge);
        inline(Category.BOMB, "gif screen claiming 65535x65535", TestImages.gifWithSize(TestImages.gif(8, 8), 65_535, 65_535), tooLarge);
    }

    private void oddImages() {
        for (int[] size : new int[][] {{32, 32}, {7, 300}, {300, 5}}) {
            String s = size[0] + "x" + size[1];
            inline(Category.ODD_IMAGE, "cmyk jpeg " + s, TestImages.jpegCmyk(size[0], size[1]), PROCESSED);
            inline(Category.ODD_IMAGE, "16-bit grayscale png " + s, TestImages.png16Gray(size[0], size[1]), PROCESSED);
            inline(Category.ODD_IMAGE, "16-bit rgb png " + s, TestImages.png16Rgb(size[0], size[1]), PROCESSED);
            inline(Category.ODD_IMAGE, "grayscale png " + s, TestImages.pngGray(size[0], size[1]), PROCESSED);
            inline(Category.ODD_IMAGE, "grayscale jpeg " + s, TestImages.jpegGray(size[0], size[1]), PROCESSED);
            inline(Category.ODD_IMAGE, "rgba png " + s, TestImages.pngArgb(size[0], size[1]), PROCESSED);
            inline(Category.ODD_IMAGE, "palette gif " + s, TestImages.gif(size[0], size[1]), PROCESSED);
        }
        inline(Category.ODD_IMAGE, "1x1 png", TestImages.pngRgb(1, 1), PROCESSED);
        inline(Category.ODD_IMAGE, "bmp", TestImages.bmp(20, 10), PROCESSED);
        BufferedImage photo = PhotoFiles.photo(60, 40, 17, 8);
        for (Kind kind : Kind.values()) {
            if (kind.readable() && kind.extension().startsWith("tif") || kind == Kind.WEBP_LOSSLESS) {
                inline(Category.ODD_IMAGE, kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " 60x40",
                        PhotoFiles.encode(kind, photo), PROCESSED);
            }
        }
    }

    private void badRecords() {
        String decode = FailureStage.DECODE.name() + "/";
        AvroCodec<DeadLetter> dlCodec = AvroCodec.of(DeadLetter.class);
        for (int i = 0; i < 3; i++) {
            DeadLetter other = DeadLetter.newBuilder().setStage(FailureStage.SINK).setReason("other schema " + i)
                    .setErrorClass("x").setErrorMessage("y").setFailedAt(Instant.ofEpochMilli(i)).build();
            raw("record under the DeadLetter schema #" + i, dlCodec.encode(other), decode + "unknown_schema");
        }
        for (int i = 0; i < 3; i++) {
            raw("record under a foreign schema #" + i, foreignRecord("Order" + i, i), decode + "unknown_schema");
        }
        for (int i = 0; i < 6; i++) {
            byte[] random = new byte[16 + 40 * i];
            new Random(200 + i).nextBytes(random);
            random[0] = 0x42; // no single-object header (0xC3 0x01 + fingerprint): no schema to read it with
            raw("random bytes record #" + i, random, decode + "unknown_schema");
        }
        raw("empty record (0 bytes, no header)", new byte[0], decode + "unknown_schema");
        raw("tombstone (null value)", null, decode + "empty_record");
        byte[] good = events.encode(event("unused", inline(TestImages.pngRgb(4, 4)), List.of(TaskType.CAPTION), null));
        for (int cut : new int[] {AvroCodec.HEADER_BYTES - 2, AvroCodec.HEADER_BYTES + 3, good.length - 30}) {
            // a cut header is no header; a cut body fails Avro's binary decoding
            raw("ImageEvent truncated to " + cut + " bytes", Arrays.copyOf(good, cut),
                    decode + (cut < AvroCodec.HEADER_BYTES ? "unknown_schema" : "avro_decode_error"));
        }
        raw("oversized record (400 KiB, job cap 320 KiB)", new byte[400 * 1024], decode + "oversized_record");
        ImageEvent blankId = event("", inline(TestImages.pngRgb(4, 4)), List.of(TaskType.CAPTION), null);
        raw("event with a blank eventId", events.encode(blankId), decode + "missing_field");
        eventItem(Category.BAD_RECORD, "event with no tasks",
                id -> event(id, inline(TestImages.pngRgb(4, 4)), List.of(), null), decode + "missing_field");
        eventItem(Category.BAD_RECORD, "event with a task unknown to the job",
                id -> event(id, inline(TestImages.pngRgb(4, 4)), List.of(TaskType.UNKNOWN), null), decode + "unknown_task");
        eventItem(Category.BAD_RECORD, "chat event without a question",
                id -> event(id, inline(TestImages.pngRgb(4, 4)), List.of(TaskType.CHAT), null), decode + "missing_question");
        eventItem(Category.BAD_RECORD, "image reference with an empty uri",
                id -> event(id, ref(""), List.of(TaskType.CAPTION), null), decode + "missing_field");
        eventItem(Category.BAD_RECORD, "image reference with a malformed sha256",
                id -> event(id, ImageRef.newBuilder().setUri(env.insideFile().toUri().toString()).setSha256("xyz").build(),
                        List.of(TaskType.CAPTION), null), decode + "invalid_field");
    }

    private void badUris() {
        String fetch = FailureStage.FETCH.name() + "/";
        for (String uri : List.of("ftp://127.0.0.1/a.png", "gopher://127.0.0.1/a", "jar:file:/tmp/x.jar!/a.png",
                "data:image/png;base64,iVBORw0KGgo=", "mailto:someone@example.com", "s3://bucket/key.png",
                "ldap://127.0.0.1/o=x")) {
            uriItem("unknown scheme " + uri.substring(0, uri.indexOf(':')), uri, fetch + "unsupported_scheme");
        }
        uriItem("file outside the allowed root", env.outsideFile().toUri().toString(), fetch + "fetch_denied");
        uriItem("file /etc/passwd", "file:///etc/passwd", fetch + "fetch_denied");
        uriItem("file path escaping the root with ..",
                "file://" + env.allowedRoot() + "/../" + env.outsideFile().getFileName(), fetch + "fetch_denied");
        uriItem("file with a host", "file://otherhost" + env.insideFile(), fetch + "fetch_denied");
        uriItem("missing file inside the root", env.allowedRoot().resolve("missing.png").toUri().toString(), fetch + "fetch_not_found");
        uriItem("file inside the root", env.insideFile().toUri().toString(), PROCESSED);
        uriItem("http to a closed port", "http://127.0.0.1:" + env.closedPort() + "/a.png", fetch + "fetch_io_error");
        uriItem("http slower than the fetch timeout", env.httpBase() + "/slow.png", fetch + "fetch_timeout");
        uriItem("http body over the size cap", env.httpBase() + "/big.png", fetch + "fetch_too_large");
        uriItem("http redirect to a disallowed host", env.httpBase() + "/redirect-out", fetch + "fetch_denied");
        uriItem("http 404", env.httpBase() + "/missing.png", fetch + "fetch_not_found");
        uriItem("http 500", env.httpBase() + "/error", fetch + "fetch_http_status");
        uriItem("http host not allowed", "http://images.example.invalid/a.png", fetch + "fetch_denied");
        uriItem("http with credentials in the uri",
                env.httpBase().replace("http://", "http://admin:hunter2-secret@") + "/ok.png", fetch + "fetch_denied");
        uriItem("http image", env.httpBase() + "/ok.png", PROCESSED);
        uriItem("unparseable uri", "http://[not a host/a.png", fetch + "fetch_invalid_uri");
    }

    private void badText() {
        StringBuilder huge = new StringBuilder();
        while (huge.length() < 200_000) {
            huge.append("why ");
        }
        String tooLong = dl(FailureStage.INFERENCE, "prompt_too_long");
        eventItem(Category.BAD_TEXT, "question far beyond the context length",
                id -> event(id, inline(TestImages.pngRgb(8, 8)), List.of(TaskType.CHAT), huge.toString()), tooLong);
        eventItem(Category.BAD_TEXT, "question just over the context length",
                id -> event(id, inline(TestImages.pngRgb(8, 8)), List.of(TaskType.CHAT),
                        "what ".repeat(ContextLimitedChatModel.MAX_CONTEXT_TOKENS + 1).strip()), tooLong);
        eventItem(Category.BAD_TEXT, "question within the context length",
                id -> event(id, inline(TestImages.pngRgb(8, 8)), List.of(TaskType.CHAT), "what is in the image?"), PROCESSED);
        // non-UTF-8: written as a same-length ASCII marker, then the marker's bytes are replaced
        byte[][] invalid = {
                {(byte) 0xFF, (byte) 0xFE, 'a', 'b'}, {(byte) 0xC3, 0x28, 'o', 'k'},
                {(byte) 0xE2, 0x28, (byte) 0xA1, '?'}, {(byte) 0xF0, (byte) 0x90, 0x28, (byte) 0xBC},
                {(byte) 0xC0, (byte) 0xAF, 'x', 'y'}};
        for (int i = 0; i < invalid.length; i++) {
            byte[] bad = invalid[i];
            String id = nextId("question non-utf8");
            ImageEvent e = event(id, inline(TestImages.pngRgb(8, 8)), List.of(TaskType.CHAT), "Q#Z" + i);
            e.setAttributes(new HashMap<>(java.util.Map.of("note", "A#Z" + i)));
            byte[] value = events.encode(e);
            replace(value, ("Q#Z" + i).getBytes(StandardCharsets.US_ASCII), bad);
            replace(value, ("A#Z" + i).getBytes(StandardCharsets.US_ASCII), bad);
            items.add(new Item(id, Category.BAD_TEXT, "question non-utf8 #" + i, value, PROCESSED));
        }
    }

    private static void replace(byte[] value, byte[] marker, byte[] with) {
        for (int i = 0; i + marker.length <= value.length; i++) {
            if (Arrays.equals(value, i, i + marker.length, marker, 0, marker.length)) {
                System.arraycopy(with, 0, value, i, with.length);
                return;
            }
        }
        throw new IllegalStateException("marker " + new String(marker, StandardCharsets.US_ASCII) + " not found");
    }

    /** A single-object encoded record of a made-up schema: right framing, unknown fingerprint. */
    private static byte[] foreignRecord(String name, int i) {
        org.apache.avro.Schema schema = org.apache.avro.SchemaBuilder.record(name).namespace("com.example")
                .fields().requiredString("id").requiredInt("n").endRecord();
        org.apache.avro.generic.GenericRecord r = new org.apache.avro.generic.GenericRecordBuilder(schema)
                .set("id", "x" + i).set("n", i).build();
        try {
            return new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
                    org.apache.avro.generic.GenericData.get(), schema).encode(r).array();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void inline(Category category, String description, byte[] image, String expected) {
        eventItem(category, description, id -> event(id, inline(image), List.of(TaskType.CAPTION), null), expected);
    }

    private void uriItem(String description, String uri, String expected) {
        eventItem(Category.BAD_URI, description, id -> event(id, ref(uri), List.of(TaskType.CAPTION), null), expected);
    }

    private void eventItem(Category category, String description, java.util.function.Function<String, ImageEvent> build,
                           String expected) {
        String id = nextId(description);
        items.add(new Item(id, category, description, events.encode(build.apply(id)), expected));
    }

    private void raw(String description, byte[] value, String expected) {
        next++;
        items.add(new Item(null, Category.BAD_RECORD, description, value, expected));
    }

    private String nextId(String description) {
        return "bad-" + (next++) + "-" + description.replaceAll("[^A-Za-z0-9]+", "-");
    }

    private static InlineImage inline(byte[] bytes) {
        return InlineImage.newBuilder().setData(ByteBuffer.wrap(bytes)).setContentType(null).build();
    }

    private static ImageRef ref(String uri) {
        return ImageRef.newBuilder().setUri(uri).setSha256(null).build();
    }

    private static ImageEvent event(String id, Object image, List<TaskType> tasks, String question) {
        return ImageEvent.newBuilder()
                .setEventId(id)
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setSource("bad-input-corpus")
                .setImage(image)
                .setTasks(new ArrayList<>(tasks))
                .setQuestion(question)
                .setConversationId(null)
                .setAttributes(new HashMap<>())
                .build();
    }
}
