package io.vlmtagger.operators.testutils;

import io.vlmtagger.models.api.FewShotTagger;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.operators.runtime.BatchScheduler;
import io.vlmtagger.operators.runtime.BatchSchedulerFactory;
import io.vlmtagger.operators.runtime.ModelProvider;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-JVM registry of test fakes, so that serializable providers and factories (shipped inside
 * Flink operators, possibly serialized) can find the test's instances by id. Tests register in
 * their setup and {@link #unregister} in teardown.
 */
public final class FakeModels {
    private static final Map<String, Object> REGISTRY = new ConcurrentHashMap<>();

    private FakeModels() {}

    /** Registers {@code fake} and returns its id. */
    public static String register(Object fake) {
        String id = UUID.randomUUID().toString();
        REGISTRY.put(id, fake);
        return id;
    }

    public static void unregister(String id) {
        REGISTRY.remove(id);
    }

    public static ModelProvider<ImageCaptioner> captionerProvider(String id) {
        return (spec, device) -> ((FakeCaptioner) lookup(id)).open(device);
    }

    public static ModelProvider<VisualChatModel> chatProvider(String id) {
        return (spec, device) -> ((FakeChatModel) lookup(id)).open(device);
    }

    public static ModelProvider<FewShotTagger> fewShotProvider(String id) {
        return (spec, device) -> ((NearestExemplarTagger) lookup(id)).open(device);
    }

    /** A factory returning the registered scheduler (not closed by the operator's close: a no-op for manual ones). */
    public static BatchSchedulerFactory schedulerFactory(String id) {
        return name -> (BatchScheduler) lookup(id);
    }

    /** The registered object {@code id}, for serializable test functions that find their fake by id. */
    public static <T> T lookup(String id, Class<T> type) {
        return type.cast(lookup(id));
    }

    private static Object lookup(String id) {
        Object o = REGISTRY.get(id);
        if (o == null) {
            throw new IllegalStateException("no fake registered under " + id + "; register it in the test setup");
        }
        return o;
    }
}
