package io.vlmtagger.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LeastSquaresTest {

    @Test
    void slopeOfNoisyLineIsTheFittedOne() {
        // y = 3x + 1 with residuals +1, -1, -1, +1 (symmetric about the middle): the fit is exact 3
        double[] x = {0, 1, 2, 3};
        double[] y = {2, 3, 6, 11};
        assertThat(LeastSquares.slope(x, y)).isCloseTo(3.0, within(1e-12));
    }

    @Test
    void sawToothWithoutTrendHasSmallSlope() {
        double[] x = new double[20];
        double[] y = new double[20];
        for (int i = 0; i < 20; i++) {
            x[i] = i;
            y[i] = 100 + (i % 2 == 0 ? 10 : -10);
        }
        assertThat(LeastSquares.slope(x, y)).isCloseTo(0.0, within(0.2));
    }

    @Test
    void oneDistinctXHasNoSlope() {
        assertThat(LeastSquares.slope(new double[] {5, 5}, new double[] {1, 2})).isNaN();
    }
}
