package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;

/**
 * Paraphrase robustness: 72 short facts of 3 users (66 asked about, 6 lexical distractors that share words with some
 * questions but do not answer them) and 89 questions that share no stemmed content word with the fact they ask about
 * (as PostgreSQL's English text search sees them: {@code text} mode never returns the target, asserted below),
 * stored and searched through the real API, embedding model and database. Each question runs in {@code dense},
 * {@code text} and {@code hybrid} mode; recall@1 and @5 per mode are printed and the hybrid's are held to floors.
 * The table and how the floors were set are in docs/benchmarks/memory.md ("Paraphrase robustness").
 */
class ParaphraseRecallTest extends MemoryApiTest {

    /**
     * Hybrid recall@1 measured 2026-12-08: 0.899 (80 of 89), below dense alone (0.910: one question loses its first
     * place to a lexical distractor), so the floor is that figure, without the 0.02 margin, until fusion beats dense.
     */
    private static final double HYBRID_RECALL_AT_1_FLOOR = 0.898;

    /** Hybrid recall@5 measured 2026-12-08: 1.000, minus 0.02. */
    private static final double HYBRID_RECALL_AT_5_FLOOR = 0.98;

    /** The goal: hybrid ranks the target worse than dense alone for at most 5 % of the questions. */
    private static final double MOST_WORSE_THAN_DENSE = 0.05;

    /** The floor of hybrid recall@1 for the embedding model of this test's context (MiniLM here). */
    protected double hybridRecallAt1Floor() {
        return HYBRID_RECALL_AT_1_FLOOR;
    }

    /** The floor of hybrid recall@5 for the embedding model of this test's context. */
    protected double hybridRecallAt5Floor() {
        return HYBRID_RECALL_AT_5_FLOOR;
    }

    /** Every fact a user holds fits in one answer, so a target's rank is always known in the modes that rank all. */
    private static final int LIMIT = 30;

    record Fact(String id, String user, String text) {}

    /** A fact of the supersede set: when it starts to hold, and the earlier fact it closes, if any. */
    record Change(
            String id,
            String text,
            String validFrom,
            @Nullable String supersedes) {}

    record Changes(List<Change> facts, List<Query> queries) {}

    /**
     * Supersede cases (paraphrase/supersedes.json, one user): a paraphrased question about a fact that changed gets
     * the new fact by default and never the old one; as of an instant before the change, the old one and not the new.
     * Every target is ranked first today; the floor leaves room for one question at second place.
     */
    @Test
    void aParaphrasedQuestionGetsTheFactThatHoldsNowAndNotTheOneItSuperseded() {
        Changes set = read("/paraphrase/supersedes.json", new TypeReference<>() {});
        String token = newUser();
        Map<String, String> ids = new HashMap<>();
        Map<String, Change> byId = new HashMap<>();
        for (Change fact : set.facts()) {
            Map<String, Object> body = new HashMap<>(Map.of("content", fact.text(), "validFrom", fact.validFrom()));
            if (fact.supersedes() != null) {
                body.put("supersedes", List.of(ids.get(fact.supersedes())));
            }
            Response added = add(token, body);
            assertThat(added.status()).as(added.body()).isEqualTo(201);
            ids.put(fact.id(), added.json().get("results").get(0).get("id").asString());
            byId.put(fact.id(), fact);
        }
        int firsts = 0;
        for (Query q : set.queries()) {
            Change target = Objects.requireNonNull(byId.get(q.target()), q.target());
            Change old = Objects.requireNonNull(byId.get(target.supersedes()), q.target());
            List<String> now = texts(search(token, Map.of("query", q.query(), "limit", 5)));
            List<String> then = texts(search(
                    token,
                    Map.of(
                            "query",
                            q.query(),
                            "limit",
                            20,
                            "asOf",
                            Instant.parse(target.validFrom()).minusSeconds(1).toString())));
            List<String> lexical = texts(search(token, Map.of("query", q.query(), "mode", "text", "limit", LIMIT)));

            assertThat(lexical).as(q.query()).doesNotContain(target.text()); // a paraphrase: no shared lexeme
            assertThat(now).as(q.query()).contains(target.text()).doesNotContain(old.text());
            assertThat(then).as(q.query()).contains(old.text()).doesNotContain(target.text());
            firsts += now.getFirst().equals(target.text()) ? 1 : 0;
        }
        System.out.printf(
                "%nSupersede cases: the new fact first for %d of %d questions%n",
                firsts, set.queries().size());
        assertThat(firsts).isGreaterThanOrEqualTo(set.queries().size() - 1);
    }

    record Query(String query, String target) {}

    /** One mode's outcome: the target's 1-based rank per query ({@code 0}: not returned). */
    record Ranks(String mode, int[] ranks) {

        double recallAt(int k) {
            int hits = 0;
            for (int rank : ranks) {
                if (rank > 0 && rank <= k) {
                    hits++;
                }
            }
            return (double) hits / ranks.length;
        }
    }

    @Test
    void hybridSearchFindsParaphrasedFactsAtLeastAsWellAsDenseAlone() {
        List<Fact> facts = read("/paraphrase/facts.json", new TypeReference<>() {});
        List<Query> queries = read("/paraphrase/queries.json", new TypeReference<>() {});
        assertThat(facts).hasSizeGreaterThanOrEqualTo(60);
        assertThat(queries).hasSizeGreaterThanOrEqualTo(80);

        Map<String, String> tokens = new HashMap<>();
        Map<String, Fact> byId = new LinkedHashMap<>();
        for (Fact fact : facts) {
            String token = tokens.computeIfAbsent(fact.user(), u -> newUser());
            addOk(token, fact.text());
            byId.put(fact.id(), fact);
        }
        assertThat(tokens).hasSize(3);

        Map<String, Ranks> byMode = new LinkedHashMap<>();
        for (String mode : List.of("dense", "text", "hybrid")) {
            int[] ranks = new int[queries.size()];
            for (int i = 0; i < queries.size(); i++) {
                Query q = queries.get(i);
                Fact target = Objects.requireNonNull(byId.get(q.target()), q.target());
                List<String> found = texts(
                        search(tokens.get(target.user()), Map.of("query", q.query(), "mode", mode, "limit", LIMIT)));
                ranks[i] = found.indexOf(target.text()) + 1;
            }
            byMode.put(mode, new Ranks(mode, ranks));
        }

        Ranks dense = byMode.get("dense");
        Ranks hybrid = byMode.get("hybrid");
        List<String> worse = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            int d = dense.ranks()[i], h = hybrid.ranks()[i];
            if (d > 0 && (h == 0 || h > d)) {
                worse.add("%s (dense %d, hybrid %d)".formatted(queries.get(i).query(), d, h));
            }
        }
        StringBuilder table =
                new StringBuilder("\nParaphrase recall (%d facts, %d queries)\n| mode | recall@1 | recall@5 |\n"
                        .formatted(facts.size(), queries.size()));
        byMode.values()
                .forEach(r -> table.append("| %s | %.3f | %.3f |%n".formatted(r.mode(), r.recallAt(1), r.recallAt(5))));
        table.append("hybrid ranks the target worse than dense: %d of %d%n".formatted(worse.size(), queries.size()));
        worse.forEach(w -> table.append("  ").append(w).append('\n'));
        System.out.println(table);

        // no question shares a lexeme with its fact, so BM25 alone never returns the target: the set is a paraphrase
        // set
        assertThat(byMode.get("text").recallAt(LIMIT)).as(table.toString()).isZero();
        assertThat(hybrid.recallAt(1)).as(table.toString()).isGreaterThanOrEqualTo(hybridRecallAt1Floor());
        assertThat(hybrid.recallAt(5)).as(table.toString()).isGreaterThanOrEqualTo(hybridRecallAt5Floor());
        assertThat(hybrid.recallAt(5)).as(table.toString()).isGreaterThanOrEqualTo(dense.recallAt(5));
        assertThat((double) worse.size() / queries.size())
                .as(table.toString())
                .isLessThanOrEqualTo(MOST_WORSE_THAN_DENSE);
    }

    private static <T> T read(String resource, TypeReference<T> type) {
        try (InputStream in = ParaphraseRecallTest.class.getResourceAsStream(resource)) {
            return JSON.readValue(Objects.requireNonNull(in, resource), type);
        } catch (IOException e) {
            throw new IllegalStateException(resource, e);
        }
    }
}
