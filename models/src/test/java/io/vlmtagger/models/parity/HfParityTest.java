package io.vlmtagger.models.parity;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmtagger.models.config.ConfigReader;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Numerical parity with HuggingFace transformers: one dynamic test per fixture directory (named
 * after it), dispatched on {@code model_type} to the checker registered in {@link ParityCheckers}.
 */
class HfParityTest {

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesTransformers() {
        List<Path> fixtures = ParityFixtures.find();
        assertThat(fixtures).as("parity fixtures under %s", ParityFixtures.roots()).isNotEmpty();
        return fixtures.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> run(dir)));
    }

    static void run(Path dir) throws Exception {
        String modelType = ConfigReader.load(dir).modelType();
        ParityChecker checker = ParityCheckers.BY_MODEL_TYPE.get(modelType);
        if (checker == null) {
            throw new AssertionError("fixture " + dir + " has model_type '" + modelType
                    + "', for which no parity checker is registered (known: "
                    + ParityCheckers.BY_MODEL_TYPE.keySet() + "; add one in ParityCheckers)");
        }
        try (ParityCase parity = ParityCase.open(dir)) {
            checker.check(parity);
            parity.assertAllMatched();
        }
    }
}
