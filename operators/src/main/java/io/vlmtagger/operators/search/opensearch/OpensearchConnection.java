package io.vlmtagger.operators.search.opensearch;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javax.annotation.Nullable;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.ssl.SSLContextBuilder;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * How to reach an OpenSearch cluster: hosts ({@code https://node1:9200}), optional basic auth,
 * optional trust store for TLS, timeouts. Serializable, so the sink can carry it to the task
 * managers; the trust store is read there, from the given path. {@link #toString()} hides the
 * password.
 */
public final class OpensearchConnection implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> hosts;
    @Nullable private final String username;
    @Nullable private final String password;
    @Nullable private final String trustStorePath;
    @Nullable private final String trustStorePassword;
    private final Duration connectTimeout;
    private final Duration responseTimeout;

    OpensearchConnection(
            List<String> hosts,
            @Nullable String username,
            @Nullable String password,
            @Nullable String trustStorePath,
            @Nullable String trustStorePassword,
            Duration connectTimeout,
            Duration responseTimeout) {
        this.hosts = List.copyOf(hosts);
        this.username = username;
        this.password = password;
        this.trustStorePath = trustStorePath;
        this.trustStorePassword = trustStorePassword;
        this.connectTimeout = connectTimeout;
        this.responseTimeout = responseTimeout;
    }

    /** A plain-HTTP connection without auth, e.g. for tests: {@code of("http://127.0.0.1:9200")}. */
    public static OpensearchConnection of(String... hosts) {
        return new OpensearchConnection(
                List.of(hosts), null, null, null, null, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    public List<String> hosts() {
        return hosts;
    }

    /** Parses and checks the host URLs; the message says what a valid one looks like. */
    static HttpHost[] parseHosts(List<String> hosts) {
        if (hosts == null || hosts.isEmpty()) {
            throw new IllegalArgumentException(
                    "No OpenSearch hosts: call setHosts(\"http://127.0.0.1:9200\") with at least one URL");
        }
        HttpHost[] parsed = new HttpHost[hosts.size()];
        for (int i = 0; i < hosts.size(); i++) {
            String h = hosts.get(i);
            String lower = h == null ? "" : h.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
                throw new IllegalArgumentException(
                        "OpenSearch host '" + h + "' needs a scheme and port, e.g. https://search-1:9200");
            }
            try {
                parsed[i] = HttpHost.create(h);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("OpenSearch host '" + h + "' is not a valid URL: " + e.getMessage(), e);
            }
            if (parsed[i].getPort() < 0) {
                throw new IllegalArgumentException("OpenSearch host '" + h + "' has no port, e.g. https://search-1:9200");
            }
        }
        return parsed;
    }

    /** Builds the HTTP transport; the caller closes it. */
    public OpenSearchTransport createTransport() throws IOException {
        HttpHost[] httpHosts = parseHosts(hosts);
        SSLContext ssl = trustStorePath == null ? null : loadTrustStore();
        ApacheHttpClient5TransportBuilder builder = ApacheHttpClient5TransportBuilder.builder(httpHosts)
                .setMapper(new JacksonJsonpMapper())
                .setRequestConfigCallback(rc -> rc.setResponseTimeout(Timeout.of(responseTimeout)))
                .setConnectionConfigCallback(cc -> cc.setConnectTimeout(Timeout.of(connectTimeout)))
                .setHttpClientConfigCallback(client -> {
                    if (username != null) {
                        BasicCredentialsProvider credentials = new BasicCredentialsProvider();
                        for (HttpHost host : httpHosts) {
                            credentials.setCredentials(
                                    new AuthScope(host),
                                    new UsernamePasswordCredentials(username, password == null ? new char[0] : password.toCharArray()));
                        }
                        client.setDefaultCredentialsProvider(credentials);
                    }
                    if (ssl != null) {
                        client.setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                                .setTlsStrategy(ClientTlsStrategyBuilder.create().setSslContext(ssl).buildAsync())
                                .setDefaultConnectionConfig(ConnectionConfig.custom()
                                        .setConnectTimeout(Timeout.of(connectTimeout)).build())
                                .build());
                    }
                    return client;
                });
        return builder.build();
    }

    private SSLContext loadTrustStore() throws IOException {
        Path path = Paths.get(trustStorePath);
        if (!Files.isReadable(path)) {
            throw new IOException("The OpenSearch trust store " + path.toAbsolutePath()
                    + " is missing or unreadable on this task manager");
        }
        String lower = trustStorePath.toLowerCase(Locale.ROOT);
        String type = lower.endsWith(".p12") || lower.endsWith(".pfx") ? "PKCS12"
                : lower.endsWith(".jks") ? "JKS" : KeyStore.getDefaultType();
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, trustStorePassword == null ? null : trustStorePassword.toCharArray());
            return SSLContextBuilder.create().loadTrustMaterial(store, null).build();
        } catch (GeneralSecurityException | IOException e) { // a wrong password is an IOException
            throw new IOException("Cannot load the OpenSearch trust store " + path.toAbsolutePath() + " as " + type
                    + " (wrong password or format?): " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "OpensearchConnection[hosts=" + hosts
                + (username == null ? "" : ", user=" + username + ", password=***")
                + (trustStorePath == null ? "" : ", trustStore=" + trustStorePath)
                + "]";
    }
}
