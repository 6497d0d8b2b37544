package io.vlmtagger.operators.testutils;

import java.util.ArrayList;
import java.util.List;

/**
 * What an operator test registers in {@link FakeModels} and the harnesses it opens, released in
 * one {@link #close}: harnesses closed first (their operators release the fakes), then every
 * registration removed. A harness the test closes itself is {@link #forget forgotten}.
 */
public final class RegisteredFakes implements AutoCloseable {
    private final List<String> ids = new ArrayList<>();
    private final List<AutoCloseable> harnesses = new ArrayList<>();

    /** Registers {@code fake} (a model or a scheduler) and returns its id. */
    public String register(Object fake) {
        String id = FakeModels.register(fake);
        ids.add(id);
        return id;
    }

    /** Closes {@code harness} with the others at {@link #close}; returns it. */
    public <H extends AutoCloseable> H track(H harness) {
        harnesses.add(harness);
        return harness;
    }

    /** The test closed {@code harness} itself. */
    public void forget(AutoCloseable harness) {
        harnesses.remove(harness);
    }

    @Override
    public void close() throws Exception {
        try {
            for (AutoCloseable h : harnesses) {
                h.close();
            }
        } finally {
            harnesses.clear();
            ids.forEach(FakeModels::unregister);
            ids.clear();
        }
    }
}
