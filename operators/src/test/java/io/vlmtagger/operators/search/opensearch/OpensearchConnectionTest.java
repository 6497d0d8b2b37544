package io.vlmtagger.operators.search.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensearch.client.transport.OpenSearchTransport;

class OpensearchConnectionTest {
    @TempDir Path dir;

    private static OpensearchConnection withTrustStore(Path store, String password) {
        return new OpensearchConnection(List.of("https://127.0.0.1:9200"), "tagger", "pw", store.toString(), password,
                Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    @Test
    void buildsATlsTransportFromAPkcs12TrustStore() throws Exception {
        Path store = dir.resolve("trust.p12");
        Process keytool = new ProcessBuilder(
                Paths.get(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=test-ca",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();

        try (OpenSearchTransport transport = withTrustStore(store, "changeit").createTransport()) {
            assertThat(transport).isNotNull();
        }
        assertThatThrownBy(() -> withTrustStore(store, "wrong").createTransport())
                .hasMessageContaining("Cannot load the OpenSearch trust store")
                .hasMessageContaining("wrong password or format");
    }

    @Test
    void saysWhichTrustStoreIsMissing() {
        Path missing = dir.resolve("nope.jks");
        assertThatThrownBy(() -> withTrustStore(missing, "x").createTransport())
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("missing or unreadable");
    }

    @Test
    void hidesThePassword() throws Exception {
        Files.createFile(dir.resolve("t.jks"));
        assertThat(withTrustStore(dir.resolve("t.jks"), "secret-store").toString())
                .contains("user=tagger").contains("password=***").doesNotContain("secret-store").doesNotContain("=pw");
    }
}
