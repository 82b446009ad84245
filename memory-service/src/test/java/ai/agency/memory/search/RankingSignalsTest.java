package ai.agency.memory.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.LocalDate;
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
    private static final LocalDate DAY = LocalDate.of(2023, 1, 15);

    private static RankingSignals.Features plain() {
        return new RankingSignals.Features(null, false, DAY, null, null);
    }

    @Test
    void aSpeakerNamedInTheQueryEarnsTheSpeakerBonusAsAWholeWordEvenWithAPossessive() {
        RankingSignals signals = new RankingSignals(0.1, 0, 0, 0);
        Map<UUID, RankingSignals.Features> features = Map.of(
                A, new RankingSignals.Features("Caroline", false, DAY, null, null),
                B, new RankingSignals.Features("Carol", false, DAY, null, null),
                C, plain());
        double[] scores =
                signals.apply("What is Caroline's favourite book?", IDS, new double[] {0.5, 0.5, 0.5}, features);

        assertThat(scores[0]).isCloseTo(0.6 / 1.1, within(1e-9));
        assertThat(scores[1]).as("Carol is not Caroline").isCloseTo(0.5 / 1.1, within(1e-9));
        assertThat(scores[2]).isCloseTo(0.5 / 1.1, within(1e-9));
    }

    @Test
    void onlyAQuestionAboutTimeLiftsMemoriesThatMentionATime() {
        RankingSignals signals = new RankingSignals(0, 0.2, 0, 0);
        Map<UUID, RankingSignals.Features> features =
                Map.of(A, new RankingSignals.Features(null, true, DAY, null, null), B, plain(), C, plain());
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
        RankingSignals signals = new RankingSignals(0, 0, 0, 0.5);
        // A matches the query best; B was said right after A in the same session; C is unrelated to both
        Map<UUID, RankingSignals.Features> features = Map.of(
                A, new RankingSignals.Features(null, false, DAY, null, B),
                B, new RankingSignals.Features(null, false, DAY, A, null),
                C, plain());
        double[] scores = signals.apply("anything", IDS, new double[] {0.9, 0.3, 0.4}, features);

        // B: 0.3 + 0.5 * (0.9 - 0.3) = 0.6 > C: 0.4 (no neighbour); A: 0.9 + 0.5 * (0.3 - 0.3)
        assertThat(scores[1]).isCloseTo(0.6 / 1.5, within(1e-9));
        assertThat(scores[2]).isCloseTo(0.4 / 1.5, within(1e-9));
        assertThat(scores[0]).isCloseTo(0.9 / 1.5, within(1e-9));
    }

    @Test
    void withEverySignalAtItsMostAScoreStaysWithin0And1() {
        RankingSignals signals = new RankingSignals(0.1, 0.2, 0, 0.4);
        Map<UUID, RankingSignals.Features> features = Map.of(
                A, new RankingSignals.Features("Ann", true, DAY, B, null),
                B, new RankingSignals.Features("Ann", true, DAY, null, A),
                C, plain());
        double[] scores = signals.apply("When did Ann move?", IDS, new double[] {1, 1, 0}, features);

        for (double s : scores) {
            assertThat(s).isBetween(0.0, 1.0);
        }
        assertThat(scores[0]).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void weightsOfZeroLeaveTheFusedScoresAsTheyAre() {
        RankingSignals off = new RankingSignals(0, 0, 0, 0);
        Map<UUID, RankingSignals.Features> features = Map.of(
                A, new RankingSignals.Features("Ann", true, DAY, B, null),
                B, new RankingSignals.Features("Ann", true, DAY, null, A),
                C, plain());
        double[] fused = {0.3, 0.9, 0.5};

        assertThat(off.off()).isTrue();
        assertThat(off.apply("When did Ann move?", IDS, fused, features)).containsExactly(0.3, 0.9, 0.5);
    }

    @Test
    void theSpeakerIsAShortPrefixBeforeAColonAndTheTimeIsLookedForInWhatWasSaid() {
        assertThat(RankingSignals.features("Caroline: I went to the support group yesterday.", DAY, null, null))
                .isEqualTo(new RankingSignals.Features("Caroline", true, DAY, null, null));
        assertThat(RankingSignals.features("Mary Ann Lee: see you on Friday", DAY, null, null)
                        .speaker())
                .isEqualTo("Mary Ann Lee");
        assertThat(RankingSignals.features("May: hi there", DAY, null, null))
                .as("a month as the speaker's name does not date what she said")
                .isEqualTo(new RankingSignals.Features("May", false, DAY, null, null));
        assertThat(RankingSignals.features("The meeting we planned for the team: cancelled", DAY, null, null)
                        .speaker())
                .as("more than three words is not a speaker")
                .isNull();
        assertThat(RankingSignals.features("I moved to Berlin in 2021", DAY, null, null))
                .isEqualTo(new RankingSignals.Features(null, true, DAY, null, null));
    }

    private static RankingSignals.Features about(LocalDate day) {
        return new RankingSignals.Features(null, false, day, null, null);
    }

    @Test
    void aQueryNamingADayLiftsTheMemoriesAboutThatDayOrTheWeekAfterOnly() {
        RankingSignals signals = new RankingSignals(0, 0, 0.2, 0);
        Map<UUID, RankingSignals.Features> features = Map.of(
                A, about(LocalDate.of(2023, 5, 8)),
                B, about(LocalDate.of(2023, 5, 14)), // 6 days later: told afterwards
                C, about(LocalDate.of(2023, 5, 7))); // the day before
        double[] fused = {0.5, 0.5, 0.5};

        double[] scores = signals.apply("What did Caroline do on 8 May, 2023?", IDS, fused, features);

        assertThat(scores[0]).isCloseTo(0.7 / 1.2, within(1e-9));
        assertThat(scores[1]).isCloseTo(0.7 / 1.2, within(1e-9));
        assertThat(scores[2]).isCloseTo(0.5 / 1.2, within(1e-9));
        assertThat(signals.apply("What did Caroline do at the lake?", IDS, fused, features))
                .as("a query naming no period changes nothing but the scale")
                .containsExactly(0.5 / 1.2, 0.5 / 1.2, 0.5 / 1.2);
    }

    @Test
    void theNamedPeriodsAreTheMostSpecificReadingsOfTheQuery() {
        assertThat(NamedPeriods.in("What happened on May 23rd, 2023 and in June 2022?"))
                .containsExactly(
                        new NamedPeriods.Period(LocalDate.of(2023, 5, 23), LocalDate.of(2023, 5, 24), 0),
                        new NamedPeriods.Period(LocalDate.of(2022, 6, 1), LocalDate.of(2022, 7, 1), 0));
        assertThat(NamedPeriods.in("Where did she travel in 2021?"))
                .containsExactly(new NamedPeriods.Period(LocalDate.of(2021, 1, 1), LocalDate.of(2022, 1, 1), 0));
        assertThat(NamedPeriods.in("May I ask what she likes?")).as("the verb").isEmpty();
        assertThat(NamedPeriods.in("What did he do in May?")).hasSize(1);
        assertThat(NamedPeriods.in("What happened on 31 February 2023?"))
                .as("impossible")
                .isEmpty();
        assertThat(NamedPeriods.in("Room 12345 and 99 bottles")).isEmpty();
        NamedPeriods.Period august =
                NamedPeriods.in("What did she paint in August?").getFirst();
        assertThat(august.covers(LocalDate.of(2019, 8, 30))).isTrue();
        assertThat(august.covers(LocalDate.of(2023, 9, 5)))
                .as("told in the week after")
                .isTrue();
        assertThat(august.covers(LocalDate.of(2023, 9, 9))).isFalse();
    }
}
