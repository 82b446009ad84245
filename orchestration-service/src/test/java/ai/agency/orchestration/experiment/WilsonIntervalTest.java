package ai.agency.orchestration.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The feedback rate's 95% Wilson score interval against values computed by hand (z = 1.959964). */
class WilsonIntervalTest {

    @Test
    void theIntervalMatchesTheWilsonFormula() {
        ExperimentResults.Feedback feedback = ExperimentResults.Feedback.of(40, 12);
        assertThat(feedback.rate()).isEqualTo(0.7692);
        assertThat(feedback.ci95()).containsExactly(0.6387, 0.8628);
    }

    @Test
    void extremeAndEmptyCountsStayInsideZeroToOne() {
        assertThat(ExperimentResults.Feedback.of(5, 0).ci95()).containsExactly(0.5655, 1.0);
        assertThat(ExperimentResults.Feedback.of(0, 5).ci95()).containsExactly(0.0, 0.4345);
        ExperimentResults.Feedback none = ExperimentResults.Feedback.of(0, 0);
        assertThat(none.rate()).isNull();
        assertThat(none.ci95()).containsExactly(0.0, 1.0);
    }
}
