package io.vlmtagger.models.kernels;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript archive written from source text, for {@code torch::jit::load} (DJL's {@code
 * JniUtils.loadModule}): the zip layout {@code torch.jit.save} writes for a module with no
 * parameters ({@code data.pkl} holding the module object, {@code code/__torch__.py} its class,
 * {@code constants.pkl}, {@code version}, {@code byteorder}). Libtorch compiles the class source
 * when it loads the archive, so the model code below ships as text and no Python is involved.
 *
 * <p>Sources are the {@code .ts} resources next to this class: method definitions (TorchScript,
 * the subset of Python that {@code torch.jit} compiles) indented by two spaces, concatenated into
 * one class body. {@code SELF} in a source stands for the class's qualified type, as the first
 * parameter of every method must be annotated with it ({@code def f(self: SELF, ...)}).
 */
public final class ScriptArchive {
    /**
     * Archive format version: 10 is what torch 2.x writes for sources with current operator
     * schemas ({@code gelu(approximate=...)}, {@code div} semantics); libtorch applies no
     * old-schema upgraders to it. Read by libtorch 1.12 and later (DJL 0.36 ships 2.7.1).
     */
    static final int FORMAT_VERSION = 10;

    private static final Pattern CLASS_NAME = Pattern.compile("[A-Z][A-Za-z0-9]*");

    private ScriptArchive() {}

    /** The class source of {@code className} made of the given {@code .ts} resources, in order. */
    public static String classSource(String className, List<String> resources) {
        if (!CLASS_NAME.matcher(className).matches()) {
            throw new IllegalArgumentException("class name must be a capitalised identifier, got '" + className + "'");
        }
        StringBuilder src = new StringBuilder();
        src.append("class ").append(className).append("(Module):\n");
        src.append("  __parameters__ = []\n");
        src.append("  __buffers__ = []\n");
        src.append("  training : bool\n");
        src.append("  def forward(self: SELF,\n    x: Tensor) -> Tensor:\n    return x\n");
        for (String resource : resources) {
            src.append(readResource(resource));
            if (src.charAt(src.length() - 1) != '\n') {
                src.append('\n');
            }
        }
        return src.toString().replace("SELF", "__torch__." + className);
    }

    /** The archive bytes of a parameter-free module whose class is {@code classSource}. */
    public static byte[] write(String className, String classSource) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String root = "kernels/";
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, root + "data.pkl", moduleObjectPickle(className));
            stored(zip, root + "code/__torch__.py", classSource.getBytes(StandardCharsets.UTF_8));
            stored(zip, root + "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // PROTO 2, (), STOP
            stored(zip, root + "version", (FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
            stored(zip, root + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Pickle (protocol 2) of the module object: {@code __torch__.<className>()} with its state
     * {@code {"training": False}}; what {@code torch.jit.save} writes for a module with no attributes.
     */
    static byte[] moduleObjectPickle(String className) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80); // PROTO
        p.write(2);
        byte[] global = ("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII);
        p.write(global, 0, global.length); // GLOBAL module name
        p.write(')'); // EMPTY_TUPLE
        p.write(0x81); // NEWOBJ
        p.write('}'); // EMPTY_DICT
        p.write('('); // MARK
        byte[] key = "training".getBytes(StandardCharsets.UTF_8);
        p.write('X'); // BINUNICODE, 4-byte little-endian length
        p.write(key.length);
        p.write(0);
        p.write(0);
        p.write(0);
        p.write(key, 0, key.length);
        p.write(0x89); // NEWFALSE: eval mode
        p.write('u'); // SETITEMS
        p.write('b'); // BUILD
        p.write('.'); // STOP
        return p.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    private static String readResource(String name) {
        try (InputStream in = ScriptArchive.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("kernel source " + name + " is missing from the models jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel source " + name, e);
        }
    }
}
