package ai.agency.memory.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The cheap ranking signals on their own: what earns each bonus, what does not, and that 0 turns one off. */
class RankingSignalsTest {

    private static final UUID A = UUID.randomUUID();
    private static final UUID B = UUID.randomUUID();
    private static final UUID C = UUID.randomUUID();
    private static final List<UUID> IDS = List.of(A, B, C);

    private static RankingSignals.Features plain() {
        return new RankingSignals.Features(null, false, null, null);
    }

    @Test
    void aSpeakerNamedInTheQueryEarnsTheSpeakerBonusAsAWholeWordEvenWithAPossessive() {
        RankingSignals signals = new RankingSignals(0.1, 0, 0);
        Map<UUID, RankingSignals.Features> features = Map.of(
                A, new RankingSignals.Features("Caroline", false, null, null),
                B, new RankingSignals.Features("Carol", false, null, null),
                C, plain());
        double[] scores =
                signals.apply("What is Caroline's favourite book?", IDS, new double[] {0.5, 0.5, 0.5}, features);

        assertThat(scores[0]).isCloseTo(0.6 / 1.1, within(1e-9));
        assertThat(scores[1]).as("Carol is not Caroline").isCloseTo(0.5 / 1.1, within(1e-9));
        assertThat(scores[2]).isCloseTo(0.5 / 1.1, within(1e-9));
    }

    @Test
    void onlyAQuestionAboutTimeLiftsMemoriesThatMentionATime() {
        RankingSignals signals = new RankingSignals(0, 0.2, 0);
        Map<UUID, RankingSignals.Features> features =
                Map.of(A, new RankingSignals.Features(null, true, null, null), B, plain(), C, plain());
        double[] fused = {0.5, 0.6, 0.1};

        double[] when = signals.apply("When did Melanie paint a sunrise?", IDS, fused, features);
        double[] what = signals.apply("What did Melanie paint?", IDS, fused, features);

        assertThat(when[0]).as("dated memory, question about time").isGreaterThan(when[1]);
        assertThat(what[0]).as("same memory, question not about time").isLessThan(what[1]);
        assertThat(signals.apply("How long has she been painting?", IDS, fused, features)[0])
                .isGreaterThan(when[1]);
    }

    @Test
    void aMemoryNextToAStrongMatchInItsSessionIsLiftedByItsNeighboursLeadOverTheLowest() {
        RankingSignals signals = new RankingSignals(0, 0, 0.5);
        // A matches the query best; B was said right after A in the same session; C is unrelated to both
        Map<UUID, RankingSignals.Features> features = Map.of(
                A, new RankingSignals.Features(null, false, null, B),
                B, new RankingSignals.Features(null, false, A, null),
                C, plain());
        double[] scores = signals.apply("anything", IDS, new double[] {0.9, 0.3, 0.4}, features);

        // B: 0.3 + 0.5 * (0.9 - 0.3) = 0.6 > C: 0.4 (no neighbour); A: 0.9 + 0.5 * (0.3 - 0.3)
        assertThat(scores[1]).isCloseTo(0.6 / 1.5, within(1e-9));
        assertThat(scores[2]).isCloseTo(0.4 / 1.5, within(1e-9));
        assertThat(scores[0]).isCloseTo(0.9 / 1.5, within(1e-9));
    }

    @Test
    void withEverySignalAtItsMostAScoreStaysWithin0And1() {
        RankingSignals signals = new RankingSignals(0.1, 0.2, 0.4);
        Map<UUID, RankingSignals.Features> features = Map.of(
                A, new RankingSignals.Features("Ann", true, B, null),
                B, new RankingSignals.Features("Ann", true, null, A),
                C, plain());
        double[] scores = signals.apply("When did Ann move?", IDS, new double[] {1, 1, 0}, features);

        for (double s : scores) {
            assertThat(s).isBetween(0.0, 1.0);
        }
        assertThat(scores[0]).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void weightsOfZeroLeaveTheFusedScoresAsTheyAre() {
        RankingSignals off = new RankingSignals(0, 0, 0);
        Map<UUID, RankingSignals.Features> features = Map.of(
                A, new RankingSignals.Features("Ann", true, B, null),
                B, new RankingSignals.Features("Ann", true, null, A),
                C, plain());
        double[] fused = {0.3, 0.9, 0.5};

        assertThat(off.off()).isTrue();
        assertThat(off.apply("When did Ann move?", IDS, fused, features)).containsExactly(0.3, 0.9, 0.5);
    }

    @Test
    void theSpeakerIsAShortPrefixBeforeAColonAndTheTimeIsLookedForInWhatWasSaid() {
        assertThat(RankingSignals.features("Caroline: I went to the support group yesterday.", null, null))
                .isEqualTo(new RankingSignals.Features("Caroline", true, null, null));
        assertThat(RankingSignals.features("Mary Ann Lee: see you on Friday", null, null)
                        .speaker())
                .isEqualTo("Mary Ann Lee");
        assertThat(RankingSignals.features("May: hi there", null, null))
                .as("a month as the speaker's name does not date what she said")
                .isEqualTo(new RankingSignals.Features("May", false, null, null));
        assertThat(RankingSignals.features("The meeting we planned for the team: cancelled", null, null)
                        .speaker())
                .as("more than three words is not a speaker")
                .isNull();
        assertThat(RankingSignals.features("I moved to Berlin in 2021", null, null))
                .isEqualTo(new RankingSignals.Features(null, true, null, null));
    }
}
