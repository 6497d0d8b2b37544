package io.vlmtagger.jobs.startup;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Kafka part of the start-up checks: the brokers answer, and every topic the job reads or
 * writes exists (or is created). Messages name the option behind each topic and the command that
 * creates it.
 */
final class KafkaTopics {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

    /** A topic the job needs: its name, the option that names it, whether it should be compacted. */
    record Needed(String name, String optionKey, boolean compacted) {}

    private final String bootstrapServers;
    private final Duration timeout;

    KafkaTopics(String bootstrapServers, Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.timeout = timeout;
    }

    /**
     * Checks the brokers and the topics; creates missing ones when {@code create}, with
     * {@code partitions} / {@code replication} (-1: the broker's defaults).
     */
    void check(Collection<Needed> needed, boolean create, int partitions, int replication) {
        try (Admin admin = admin()) {
            reachable(admin);
            List<Needed> missing = missing(admin, needed);
            if (missing.isEmpty()) {
                return;
            }
            if (!create) {
                throw new StartupCheckException(missingMessage(missing, partitions, replication));
            }
            createTopics(admin, missing, partitions, replication);
        }
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, Math.min(10_000L, timeout.toMillis()));
        try {
            return Admin.create(p);
        } catch (KafkaException e) {
            throw new StartupCheckException("cannot reach the Kafka brokers at " + bootstrapServers
                    + " (kafka.bootstrap-servers): " + rootMessage(e) + "; give host:port pairs this machine can resolve", e);
        }
    }

    private void reachable(Admin admin) {
        try {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new StartupCheckException("cannot reach the Kafka brokers at " + bootstrapServers
                    + " (kafka.bootstrap-servers) within " + timeout + " (startup.kafka-timeout)"
                    + (e instanceof ExecutionException ? ": " + rootMessage(e) : "")
                    + "; check that the brokers run and that this machine reaches their advertised listeners", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupCheckException("interrupted while contacting the Kafka brokers", e);
        }
    }

    private List<Needed> missing(Admin admin, Collection<Needed> needed) {
        Map<String, Needed> byName = new LinkedHashMap<>();
        needed.forEach(n -> byName.putIfAbsent(n.name(), n));
        Map<String, KafkaFuture<TopicDescription>> described =
                admin.describeTopics(byName.keySet()).topicNameValues();
        List<Needed> missing = new ArrayList<>();
        for (Needed n : byName.values()) {
            try {
                described.get(n.name()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    missing.add(n);
                } else {
                    throw new StartupCheckException("cannot describe the Kafka topic " + n.name() + " (" + n.optionKey()
                            + ") at " + bootstrapServers + ": " + rootMessage(e), e);
                }
            } catch (TimeoutException e) {
                throw new StartupCheckException("the Kafka brokers at " + bootstrapServers + " did not describe the topic "
                        + n.name() + " within " + timeout, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupCheckException("interrupted while checking the Kafka topics", e);
            }
        }
        return missing;
    }

    private String missingMessage(List<Needed> missing, int partitions, int replication) {
        StringBuilder sb = new StringBuilder();
        sb.append(missing.size() == 1 ? "a Kafka topic the job needs is missing" : missing.size() + " Kafka topics the job needs are missing")
                .append(" at ").append(bootstrapServers).append(':');
        for (Needed n : missing) {
            sb.append(' ').append(n.name()).append(" (").append(n.optionKey()).append(')');
            if (n != missing.get(missing.size() - 1)) {
                sb.append(',');
            }
        }
        sb.append(". Create ").append(missing.size() == 1 ? "it" : "them").append(", e.g.\n");
        for (Needed n : missing) {
            sb.append("  kafka-topics.sh --bootstrap-server ").append(bootstrapServers).append(" --create --topic ").append(n.name())
                    .append(" --partitions ").append(partitions > 0 ? String.valueOf(partitions) : "<N>");
            if (replication > 0) {
                sb.append(" --replication-factor ").append(replication);
            }
            if (n.compacted()) {
                sb.append(" --config cleanup.policy=compact");
            }
            sb.append('\n');
        }
        sb.append("or start the job with --startup.create-topics true to create them");
        return sb.toString();
    }

    private void createTopics(Admin admin, List<Needed> missing, int partitions, int replication) {
        List<NewTopic> topics = new ArrayList<>();
        for (Needed n : missing) {
            NewTopic t = new NewTopic(n.name(), partitions > 0 ? Optional.of(partitions) : Optional.empty(),
                    replication > 0 ? Optional.of((short) replication) : Optional.empty());
            if (n.compacted()) {
                t.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            topics.add(t);
        }
        for (Map.Entry<String, KafkaFuture<Void>> e : admin.createTopics(topics).values().entrySet()) {
            try {
                e.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("start-up: created the Kafka topic {} at {}", e.getKey(), bootstrapServers);
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw new StartupCheckException("cannot create the Kafka topic " + e.getKey() + " at " + bootstrapServers
                            + " (startup.create-topics): " + rootMessage(ex), ex);
                }
            } catch (TimeoutException ex) {
                throw new StartupCheckException("creating the Kafka topic " + e.getKey() + " took longer than " + timeout, ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new StartupCheckException("interrupted while creating Kafka topics", ex);
            }
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable cur = t;
        while (cur.getCause() != null && cur.getCause() != cur) {
            cur = cur.getCause();
        }
        return cur.getClass().getSimpleName() + (cur.getMessage() == null ? "" : ": " + cur.getMessage());
    }
}
