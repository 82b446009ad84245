package ai.agency.common.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FlagRuleTest {

    private static final List<String> USERS = IntStream.range(0, 20_000)
            .mapToObj(i -> new UUID(0x5eedL, i * 7919L).toString())
            .toList();

    private static long onCount(FlagRule rule) {
        return USERS.stream().filter(u -> rule.evaluate(u, Set.of("user")).on()).count();
    }

    @Test
    void aPercentageRolloutReachesThatShareOfUsersAndEachFlagSplitsThemDifferently() {
        for (int percentage : List.of(1, 10, 25, 50, 90)) {
            FlagRule rule = new FlagRule("chat.new-ui", true, percentage, List.of(), "");
            double share = onCount(rule) / (double) USERS.size();
            // 20,000 users: the binomial standard deviation is at most 0.35 points; allow 1 point
            assertThat(share).as(percentage + " %").isBetween(percentage / 100.0 - 0.01, percentage / 100.0 + 0.01);
        }
        FlagRule a = new FlagRule("flag-a", true, 50, List.of(), "");
        FlagRule b = new FlagRule("flag-b", true, 50, List.of(), "");
        long both = USERS.stream()
                .filter(u ->
                        a.evaluate(u, Set.of()).on() && b.evaluate(u, Set.of()).on())
                .count();
        assertThat(both / (double) USERS.size())
                .as("independent halves overlap by about a quarter, not by half")
                .isBetween(0.23, 0.27);
    }

    @Test
    void aUserStaysInWhenThePercentageRisesAndTheAnswerIsStable() {
        FlagRule at20 = new FlagRule("rollout", true, 20, List.of(), "");
        FlagRule at60 = new FlagRule("rollout", true, 60, List.of(), "");
        for (String user : USERS.subList(0, 2_000)) {
            boolean on = at20.evaluate(user, Set.of()).on();
            assertThat(at20.evaluate(user, Set.of()).on()).isEqualTo(on);
            if (on) {
                assertThat(at60.evaluate(user, Set.of()).on()).as(user).isTrue();
            }
            assertThat(FlagRule.bucket("rollout", user)).isBetween(0, 99);
        }
        assertThat(at20.evaluate(USERS.getFirst(), Set.of()).outcome()).isEqualTo(FlagRule.Outcome.SPLIT);
    }

    @Test
    void rolesAreOnWhateverTheirBucketOthersFollowThePercentage() {
        FlagRule adminsOnly = new FlagRule("ops.tools", true, 0, List.of("admin", "viewer"), "");
        assertThat(USERS.stream()
                        .allMatch(u -> adminsOnly.evaluate(u, Set.of("admin")).on()))
                .isTrue();
        assertThat(USERS.stream()
                        .allMatch(u ->
                                adminsOnly.evaluate(u, Set.of("user", "viewer")).on()))
                .isTrue();
        assertThat(onCount(adminsOnly)).as("plain users at 0 %").isZero();
        assertThat(adminsOnly.evaluate(USERS.getFirst(), Set.of("admin")).outcome())
                .isEqualTo(FlagRule.Outcome.TARGETING_MATCH);

        FlagRule adminsAndTenPercent = new FlagRule("ops.tools", true, 10, List.of("admin"), "");
        assertThat(onCount(adminsAndTenPercent) / (double) USERS.size()).isBetween(0.09, 0.11);
    }

    @Test
    void offIsOffForEveryoneAndWithoutAUserOnlyAFlagOnForEveryoneIsOn() {
        FlagRule off = new FlagRule("kill", false, 100, List.of("admin"), "");
        assertThat(off.evaluate(USERS.getFirst(), Set.of("admin")))
                .isEqualTo(new FlagRule.Evaluation(false, FlagRule.Outcome.DISABLED));
        assertThat(new FlagRule("all", true, 100, List.of(), "").evaluate(null, Set.of()))
                .isEqualTo(new FlagRule.Evaluation(true, FlagRule.Outcome.STATIC));
        assertThat(new FlagRule("half", true, 50, List.of(), "").evaluate(null, Set.of()))
                .isEqualTo(new FlagRule.Evaluation(false, FlagRule.Outcome.DEFAULT));
    }

    @Test
    void badValuesAreRefusedNamingTheField() {
        assertThat(FlagRule.problem("Bad Key", 10, List.of(), "")).startsWith("key ");
        assertThat(FlagRule.problem("ok", 101, List.of(), "")).startsWith("percentage ");
        assertThat(FlagRule.problem("ok", -1, List.of(), "")).startsWith("percentage ");
        assertThat(FlagRule.problem("ok", 1, List.of("Admin!"), "")).startsWith("roles ");
        assertThat(FlagRule.problem("ok", 1, List.of(), "x".repeat(501))).startsWith("description ");
        assertThat(FlagRule.problem("a".repeat(65), 1, List.of(), "")).startsWith("key ");
        assertThat(FlagRule.problem("chat.memory-recall", 0, List.of("admin"), ""))
                .isNull();
        assertThatThrownBy(() -> new FlagRule("ok", true, 200, List.of(), ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("percentage");
    }
}
