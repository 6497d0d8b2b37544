package io.vlmtagger.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The GPU image must name a libtorch flavour whose JNI library is in the pytorch-jni jar the build
 * ships (DJL would otherwise try to download one at start-up and fail offline), and a libtorch of
 * the version that JNI was compiled against.
 */
class CudaFlavourTest {

    @Test
    void dockerfileCudaNamesAFlavourWhoseJniShipsInThePytorchJniJar() throws IOException {
        String dockerfile = Files.readString(repositoryRoot().resolve("docker/Dockerfile.cuda"));
        String flavour = group(dockerfile, "PYTORCH_FLAVOR=(\\S+)");
        String version = group(dockerfile, "PYTORCH_VERSION=(\\S+)");
        String url = group(dockerfile, "ARG LIBTORCH_URL=(\\S+)");
        List<String> shipped = shippedFlavours();

        assertThat(shipped).as("flavours in the pytorch-jni jar").contains("cpu");
        assertThat(shipped).as("Dockerfile.cuda's PYTORCH_FLAVOR=%s must have a JNI in the pytorch-jni jar", flavour)
                .contains(flavour);
        assertThat(url).as("the libtorch download matches PYTORCH_FLAVOR and PYTORCH_VERSION")
                .contains("/" + flavour + "/").contains(version + "%2B" + flavour);
        assertThat(jniVersion()).as("pytorch-jni is built for libtorch %s", version).startsWith(version + "-");
    }

    /** The {@code jnilib/linux-x86_64/<flavour>/libdjl_torch.so} entries of the pytorch-jni jar on the classpath. */
    private static List<String> shippedFlavours() throws IOException {
        URL marker = CudaFlavourTest.class.getClassLoader().getResource("jnilib/pytorch.properties");
        assertThat(marker).as("pytorch-jni jar on the test classpath").isNotNull();
        List<String> flavours = new ArrayList<>();
        try (JarFile jar = ((JarURLConnection) marker.openConnection()).getJarFile()) {
            Pattern p = Pattern.compile("jnilib/linux-x86_64/([^/]+)/libdjl_torch\\.so");
            jar.stream().forEach(e -> {
                Matcher m = p.matcher(e.getName());
                if (m.matches()) {
                    flavours.add(m.group(1));
                }
            });
        }
        return flavours;
    }

    private static String jniVersion() throws IOException {
        URL marker = CudaFlavourTest.class.getClassLoader().getResource("jnilib/pytorch.properties");
        java.util.Properties p = new java.util.Properties();
        try (var in = marker.openStream()) {
            p.load(in);
        }
        return p.getProperty("jni_version", p.getProperty("version", ""));
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("Dockerfile.cuda has %s", regex).isTrue();
        return m.group(1);
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docker/Dockerfile.cuda"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("repository root above %s", Path.of("").toAbsolutePath()).isNotNull();
        return dir;
    }
}
