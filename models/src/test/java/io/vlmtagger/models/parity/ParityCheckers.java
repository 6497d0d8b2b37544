package io.vlmtagger.models.parity;

import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The parity checkers by config.json {@code model_type}. To add an architecture, add one line
 * here. A {@code model_type} with no entry fails the fixture's test; {@link #notImplementedYet}
 * skips it with the reason instead.
 */
final class ParityCheckers {
    static final Map<String, ParityChecker> BY_MODEL_TYPE = Map.of(
            "blip-2", new Blip2ParityChecker(),
            "llava", new LlavaParityChecker(),
            "idefics", new IdeficsParityChecker());

    private ParityCheckers() {}

    /** A placeholder that skips (JUnit assumption) with {@code reason}. */
    static ParityChecker notImplementedYet(String reason) {
        return parity -> Assumptions.abort(reason);
    }
}
