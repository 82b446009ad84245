package ai.agency.multimodal.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LoudnessMeterTest {

    private static LoudnessMeter.Result measure(double[] amplitudes, double secondsEach) {
        LoudnessMeter meter = new LoudnessMeter(1000, 1, -50, -40);
        for (double amplitude : amplitudes) {
            for (int i = 0; i < secondsEach * 1000; i++) {
                meter.accept(amplitude * Math.sin(2 * Math.PI * 250 * i / 1000.0));
            }
        }
        return meter.finish();
    }

    @Test
    void digitalSilenceIsTheFloorAndHasNoSegments() {
        LoudnessMeter.Result result = measure(new double[] {0}, 1);

        assertThat(result.loudness().peakDbfs()).isEqualTo(LoudnessMeter.FLOOR_DBFS);
        assertThat(result.silenceRatio()).isEqualTo(1.0);
        assertThat(result.segments()).isEmpty();
    }

    @Test
    void shortPausesDoNotSplitASegmentButLongOnesDo() {
        // sound 0.5 s, pause 0.1 s (< 200 ms hangover), sound 0.5 s, pause 0.5 s, sound 0.5 s
        LoudnessMeter meter = new LoudnessMeter(1000, 1, -50, -40);
        double[][] parts = {{0.5, 0.5}, {0, 0.1}, {0.5, 0.5}, {0, 0.5}, {0.5, 0.5}};
        for (double[] part : parts) {
            for (int i = 0; i < part[1] * 1000; i++) {
                meter.accept(part[0] * Math.sin(2 * Math.PI * 250 * i / 1000.0));
            }
        }
        LoudnessMeter.Result result = meter.finish();

        assertThat(result.segments()).hasSize(2);
        assertThat(result.segments().get(0).start()).isEqualTo(0.0);
        assertThat(result.segments().get(0).end()).isCloseTo(1.1, within(0.001));
        assertThat(result.segments().get(1).start()).isCloseTo(1.6, within(0.001));
        assertThat(result.segments().get(1).end()).isCloseTo(2.1, within(0.001));
    }

    @Test
    void fullScaleSineIsZeroPeakAndMinusThreeRms() {
        LoudnessMeter.Result result = measure(new double[] {1.0}, 1);

        assertThat(result.loudness().peakDbfs()).isCloseTo(0.0, within(0.01));
        assertThat(result.loudness().rmsDbfs()).isCloseTo(-3.01, within(0.01));
    }
}
