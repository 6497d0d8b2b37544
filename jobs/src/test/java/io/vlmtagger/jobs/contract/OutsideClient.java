package io.vlmtagger.jobs.contract;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A producer and consumer that know the job only by its documented contract: schemas are parsed
 * from {@code .avsc} text at run time, records are Avro GenericRecords, and the single-object
 * header (C3 01 + little-endian CRC-64-AVRO fingerprint) is written and checked by hand. Nothing
 * of the project's generated classes or serdes is used.
 */
final class OutsideClient implements AutoCloseable {
    /** The repository's schema sources, as an outside producer would copy them. */
    static final Path AVRO_DIR = Path.of("../schemas/src/main/avro");

    private final String bootstrapServers;
    private final KafkaProducer<byte[], byte[]> producer;

    OutsideClient(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static Schema schema(Path avsc) {
        try {
            return new Schema.Parser().parse(avsc.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 8 fingerprint bytes of the header, in wire order, as hex. */
    static String fingerprintHex(Schema s) {
        return HexFormat.of().formatHex(header(s), 2, 10);
    }

    /** An ImageEvent of {@code schema} carrying {@code png} inline; fields the schema lacks are left out. */
    static GenericRecord event(Schema schema, String id, byte[] png, List<String> tasks, String question) {
        Schema inline = schema.getField("image").schema().getTypes().stream()
                .filter(t -> t.getName().equals("InlineImage")).findFirst().orElseThrow();
        GenericRecord image = new GenericData.Record(inline);
        image.put("data", ByteBuffer.wrap(png));
        image.put("contentType", "image/png");
        GenericRecord e = new GenericData.Record(schema);
        e.put("eventId", id);
        e.put("eventTime", System.currentTimeMillis());
        putIfPresent(e, "source", "outside-producer");
        e.put("image", image);
        Schema taskType = schema.getField("tasks").schema().getElementType();
        e.put("tasks", tasks.stream().map(t -> new GenericData.EnumSymbol(taskType, t)).toList());
        putIfPresent(e, "question", question);
        putIfPresent(e, "conversationId", null);
        putIfPresent(e, "attributes", Map.of("producer", schema.getDoc() == null ? "current" : "evolved"));
        putIfPresent(e, "priority", 5);
        putIfPresent(e, "region", "eu");
        return e;
    }

    private static void putIfPresent(GenericRecord r, String field, Object value) {
        if (r.getSchema().getField(field) != null) {
            r.put(field, value);
        }
    }

    /** {@code C3 01}, the fingerprint of {@code headerSchema} (little-endian), then the body written with {@code bodySchema}. */
    static byte[] singleObject(Schema headerSchema, Schema bodySchema, GenericRecord datum) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header(headerSchema));
        try {
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(bodySchema).write(datum, enc);
            enc.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** C3 01 and the schema's CRC-64-AVRO fingerprint, little-endian. */
    static byte[] header(Schema schema) {
        byte[] h = new byte[10];
        h[0] = (byte) 0xC3;
        h[1] = 0x01;
        long fp = SchemaNormalization.parsingFingerprint64(schema);
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (byte) (fp >>> (8 * i));
        }
        return h;
    }

    static byte[] singleObject(Schema schema, GenericRecord datum) {
        return singleObject(schema, schema, datum);
    }

    void send(String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value))
                .get(30, TimeUnit.SECONDS);
    }

    /** A record as read: key, value, and the value decoded with {@code schema} after checking its header. */
    record Read(String key, byte[] value, GenericRecord record) {}

    /**
     * Reads {@code topic} from the beginning with read_committed until {@code done} holds (or
     * {@code timeout}), then {@code settle} longer to catch duplicates. Every value must carry the
     * header of {@code schema}.
     */
    List<Read> readCommitted(String topic, Schema schema, Predicate<List<Read>> done, Duration timeout, Duration settle) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<Read> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : c.partitionsFor(topic, Duration.ofSeconds(10))) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            byte[] header = header(schema);
            GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(schema);
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    byte[] v = r.value();
                    if (!Arrays.equals(Arrays.copyOf(v, 10), Arrays.copyOf(header, 10))) {
                        throw new AssertionError(topic + " record at offset " + r.offset() + " has header "
                                + HexFormat.of().formatHex(v, 0, Math.min(10, v.length)) + ", expected "
                                + HexFormat.of().formatHex(header, 0, 10) + " (" + schema.getName() + ")");
                    }
                    try {
                        GenericRecord g = reader.read(null, DecoderFactory.get().binaryDecoder(v, 10, v.length - 10, null));
                        out.add(new Read(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8), v, g));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                if (settleUntil == Long.MAX_VALUE && done.test(out)) {
                    settleUntil = System.nanoTime() + settle.toNanos();
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
