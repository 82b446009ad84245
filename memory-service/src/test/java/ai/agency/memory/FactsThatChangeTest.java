package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp;
import ai.agency.common.testsupport.TestHttp.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Bi-temporal memories (docs/memory.md, "Facts that change"), without an LLM: a small timeline of a user whose job,
 * city and partner change — closed by the caller's {@code supersedes} or by the same-entity-and-attribute rule —
 * read back now, as of past instants and with the closed ones, through the real API and database.
 */
class FactsThatChangeTest extends MemoryApiTest {

    private static final String ACME = "I work at Acme as an engineer";
    private static final String GLOBEX = "I just joined Globex as a product manager";
    private static final String LISBON = "I live in Lisbon";
    private static final String BERLIN = "I moved to Berlin";
    private static final String SAM = "My partner is Sam";
    private static final String ALEX = "My partner is Alex";

    /** The ids of one user's timeline, by text. */
    private record Timeline(String token, Map<String, String> ids) {
        String id(String text) {
            return ids.get(text);
        }
    }

    private static Map<String, Object> city(String text, String date) {
        return Map.of("content", text, "metadata", Map.of("entity", "me", "attribute", "city", "date", date));
    }

    /** Adds and returns the add's results as {@code event memory} lines, in order. */
    private List<String> events(Response added) {
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        List<String> events = new ArrayList<>();
        added.json()
                .get("results")
                .forEach(r -> events.add(
                        r.get("event").asString() + " " + r.get("memory").asString()));
        return events;
    }

    private Timeline timeline() {
        String token = newUser();
        Map<String, String> ids = new HashMap<>();
        ids.put(ACME, addOk(token, Map.of("content", ACME, "validFrom", "2023-01-09T00:00:00Z")));
        Response globex = add(
                token,
                Map.of("content", GLOBEX, "validFrom", "2025-03-01T00:00:00Z", "supersedes", List.of(ids.get(ACME))));
        assertThat(events(globex)).containsExactly("ADD " + GLOBEX, "SUPERSEDE " + ACME);
        ids.put(GLOBEX, globex.json().get("results").get(0).get("id").asString());
        assertThat(globex.json().get("results").get(1).get("id").asString()).isEqualTo(ids.get(ACME));

        ids.put(LISBON, addOk(token, city(LISBON, "2022-05-01")));
        Response berlin = add(token, city(BERLIN, "2024-10-15"));
        assertThat(events(berlin)).containsExactly("ADD " + BERLIN, "SUPERSEDE " + LISBON);
        ids.put(BERLIN, berlin.json().get("results").get(0).get("id").asString());

        ids.put(SAM, addOk(token, Map.of("content", SAM, "validFrom", "2021-02-14T00:00:00Z")));
        Response alex = add(
                token,
                Map.of("content", ALEX, "validFrom", "2024-06-01T00:00:00Z", "supersedes", List.of(ids.get(SAM))));
        assertThat(events(alex)).containsExactly("ADD " + ALEX, "SUPERSEDE " + SAM);
        ids.put(ALEX, alex.json().get("results").get(0).get("id").asString());
        return new Timeline(token, ids);
    }

    private List<String> found(String token, String query, Map<String, Object> options) {
        Map<String, Object> body = new HashMap<>(options);
        body.put("query", query);
        return texts(search(token, body));
    }

    private List<String> listed(String token, String query) {
        Response page = get("/api/v1/memories" + query, token);
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        List<String> texts = new ArrayList<>();
        page.json().get("items").forEach(m -> texts.add(m.get("memory").asString()));
        return texts;
    }

    @Test
    void searchAndListAnswerWhatHoldsNowByDefaultAndWhatHeldThenWithAsOf() {
        Timeline t = timeline();

        assertThat(found(t.token(), "Where do I work?", Map.of())).containsExactlyInAnyOrder(GLOBEX, BERLIN, ALEX);
        assertThat(found(t.token(), "What is my job?", Map.of()).getFirst()).isEqualTo(GLOBEX);
        assertThat(found(t.token(), "Which city is my home?", Map.of("mode", "dense")))
                .doesNotContain(LISBON)
                .contains(BERLIN);
        assertThat(found(t.token(), "Where do I work?", Map.of("asOf", "2024-01-01T00:00:00Z")))
                .containsExactlyInAnyOrder(ACME, LISBON, SAM);
        assertThat(found(t.token(), "Where do I work?", Map.of("asOf", "2024-01-01T00:00:00Z"))
                        .getFirst())
                .isEqualTo(ACME);
        assertThat(found(t.token(), "Who is my partner?", Map.of("asOf", "2024-12-01T00:00:00Z")))
                .containsExactlyInAnyOrder(ACME, BERLIN, ALEX);
        assertThat(found(t.token(), "Who is my partner?", Map.of("asOf", "2020-01-01T00:00:00Z")))
                .isEmpty();
        // an instant exactly at a change: the new fact holds, the old one no longer
        assertThat(found(t.token(), "work", Map.of("asOf", "2025-03-01T00:00:00Z")))
                .contains(GLOBEX)
                .doesNotContain(ACME);
        assertThat(found(t.token(), "Where do I work?", Map.of("includeInvalid", true)))
                .containsExactlyInAnyOrder(ACME, GLOBEX, LISBON, BERLIN, SAM, ALEX);

        assertThat(listed(t.token(), "")).containsExactlyInAnyOrder(GLOBEX, BERLIN, ALEX);
        assertThat(listed(t.token(), "?asOf=2024-01-01T00:00:00Z")).containsExactlyInAnyOrder(ACME, LISBON, SAM);
        assertThat(listed(t.token(), "?includeInvalid=true")).hasSize(6);
    }

    @Test
    void aClosedMemoryKeepsItsTextAndNamesWhatSupersededItAndItsHistoryShowsTheChain() {
        Timeline t = timeline();

        JsonNode acme = get("/api/v1/memories/" + t.id(ACME), t.token()).json();
        assertThat(acme.get("memory").asString()).isEqualTo(ACME);
        assertThat(acme.get("validFrom").asString()).isEqualTo("2023-01-09T00:00:00Z");
        assertThat(acme.get("invalidAt").asString()).isEqualTo("2025-03-01T00:00:00Z");
        assertThat(acme.get("supersededBy").asString()).isEqualTo(t.id(GLOBEX));
        JsonNode globex = get("/api/v1/memories/" + t.id(GLOBEX), t.token()).json();
        assertThat(globex.get("validFrom").asString()).isEqualTo("2025-03-01T00:00:00Z");
        assertThat(globex.get("invalidAt").isNull()).isTrue();
        assertThat(globex.get("supersededBy").isNull()).isTrue();
        JsonNode lisbon = get("/api/v1/memories/" + t.id(LISBON), t.token()).json();
        assertThat(lisbon.get("validFrom").asString()).isEqualTo("2022-05-01T00:00:00Z"); // from metadata.date
        assertThat(lisbon.get("invalidAt").asString()).isEqualTo("2024-10-15T00:00:00Z");
        assertThat(lisbon.get("supersededBy").asString()).isEqualTo(t.id(BERLIN));

        JsonNode history = get("/api/v1/memories/" + t.id(ACME) + "/history", t.token())
                .json()
                .get("items");
        assertThat(history).extracting(e -> e.get("event").asString()).containsExactly("ADD", "SUPERSEDE");
        assertThat(history.get(1).get("supersededBy").asString()).isEqualTo(t.id(GLOBEX));
        assertThat(history.get(1).get("oldMemory").asString()).isEqualTo(ACME);
        assertThat(get("/api/v1/memories/" + t.id(GLOBEX) + "/history", t.token())
                        .json()
                        .get("items"))
                .extracting(e -> e.get("event").asString())
                .containsExactly("ADD");

        JsonNode hit = search(t.token(), Map.of("query", "Acme", "includeInvalid", true, "mode", "text"))
                .json()
                .get("results")
                .get(0);
        assertThat(hit.get("supersededBy").asString()).isEqualTo(t.id(GLOBEX));
        assertThat(hit.get("invalidAt").asString()).isEqualTo("2025-03-01T00:00:00Z");
        assertThat(hit.get("validFrom").asString()).isEqualTo("2023-01-09T00:00:00Z");

        Response export = TestHttp.send(
                URI.create("http://localhost:" + port + "/api/v1/memories/export"),
                "GET",
                t.token(),
                null,
                Map.of("Accept", "application/x-ndjson"));
        assertThat(export.status()).as(export.body()).isEqualTo(200);
        List<JsonNode> lines = export.body().lines().map(JSON::readTree).toList();
        assertThat(lines).hasSize(6);
        JsonNode exportedAcme = lines.stream()
                .filter(m -> m.get("id").asString().equals(t.id(ACME)))
                .findFirst()
                .orElseThrow();
        assertThat(exportedAcme.get("supersededBy").asString()).isEqualTo(t.id(GLOBEX));
        assertThat(exportedAcme.get("invalidAt").asString()).isEqualTo("2025-03-01T00:00:00Z");
    }

    @Test
    void withoutAGivenTimeAMemoryHoldsFromWhenItWasLearned() {
        String token = newUser();
        String id = addOk(token, Map.of("content", "I collect vinyl records", "metadata", Map.of("date", "soon")));

        JsonNode memory = get("/api/v1/memories/" + id, token).json();

        assertThat(memory.get("validFrom").asString())
                .isEqualTo(memory.get("createdAt").asString());
        assertThat(memory.get("invalidAt").isNull()).isTrue();
    }

    @Test
    void theRuleClosesOnlyTheSameEntityAndAttributeInTheSameScopeAndOrdersByValidFrom() {
        String token = newUser();
        String lisbon = addOk(token, city(LISBON, "2022-05-01"));
        String sister = addOk(
                token,
                Map.of(
                        "content",
                        "My sister lives in Oslo",
                        "metadata",
                        Map.of("entity", "sister", "attribute", "city", "date", "2020-01-01")));
        String untagged = addOk(token, Map.of("content", "I live near the river", "validFrom", "2021-01-01T00:00:00Z"));
        String otherAgent = addOk(
                token,
                Map.of(
                        "content",
                        "I live in Porto",
                        "agentId",
                        "travel",
                        "metadata",
                        Map.of("entity", "me", "attribute", "city", "date", "2021-01-01")));

        assertThat(events(add(token, city(BERLIN, "2024-10-15"))))
                .containsExactly("ADD " + BERLIN, "SUPERSEDE " + LISBON);
        for (String open : List.of(sister, untagged, otherAgent)) {
            assertThat(get("/api/v1/memories/" + open, token)
                            .json()
                            .get("invalidAt")
                            .isNull())
                    .as(open)
                    .isTrue();
        }
        assertThat(get("/api/v1/memories/" + lisbon, token)
                        .json()
                        .get("invalidAt")
                        .asString())
                .isEqualTo("2024-10-15T00:00:00Z");

        // an older fact told later is closed at once, by the next one in time
        Response madrid = add(token, city("I lived in Madrid", "2019-03-01"));
        assertThat(events(madrid)).containsExactly("ADD I lived in Madrid", "SUPERSEDE I lived in Madrid");
        JsonNode closed = get(
                        "/api/v1/memories/"
                                + madrid.json().get("results").get(0).get("id").asString(),
                        token)
                .json();
        assertThat(closed.get("supersededBy").asString()).isEqualTo(lisbon);
        assertThat(closed.get("invalidAt").asString()).isEqualTo("2022-05-01T00:00:00Z");
        assertThat(found(token, "Where do I live?", Map.of("asOf", "2020-06-01T00:00:00Z")))
                .contains("I lived in Madrid", "My sister lives in Oslo")
                .doesNotContain(LISBON, BERLIN);
    }

    /**
     * Deleting the newer memory does not re-open the one it closed: a deletion is often for privacy, not a
     * correction, and "My partner is Alex" deleted must not bring back "My partner is Sam" as the current partner.
     */
    @Test
    void deletingTheMemoryThatSupersededAnotherDoesNotBringTheOldFactBack() {
        Timeline t = timeline();

        assertThat(delete("/api/v1/memories/" + t.id(ALEX), t.token()).status()).isEqualTo(204);

        JsonNode sam = get("/api/v1/memories/" + t.id(SAM), t.token()).json();
        assertThat(sam.get("invalidAt").asString()).isEqualTo("2024-06-01T00:00:00Z");
        assertThat(listed(t.token(), "")).doesNotContain(SAM, ALEX);
        assertThat(found(t.token(), "Who is my partner?", Map.of())).doesNotContain(SAM, ALEX);
        assertThat(found(t.token(), "Who is my partner?", Map.of("includeInvalid", true)))
                .contains(SAM)
                .doesNotContain(ALEX);
    }

    @Test
    void aFactThatHeldBeforeCanBeStoredAgainOnceItsMemoryWasClosed() {
        String token = newUser();
        String first = addOk(token, city(LISBON, "2020-01-01"));
        assertThat(events(add(token, city(BERLIN, "2022-01-01"))))
                .containsExactly("ADD " + BERLIN, "SUPERSEDE " + LISBON);

        Response back = add(token, city(LISBON, "2024-01-01"));

        assertThat(events(back)).containsExactly("ADD " + LISBON, "SUPERSEDE " + BERLIN);
        assertThat(back.json().get("results").get(0).get("id").asString()).isNotEqualTo(first);
        assertThat(listed(token, "")).containsExactly(LISBON);
        assertThat(listed(token, "?includeInvalid=true")).hasSize(3);
    }

    @Test
    void supersedingAnotherUsersMemoryIsNotFoundAndLeavesItUntouched() {
        String bob = newUser();
        String bobsJob = addOk(bob, "I work at Initech");
        String alice = newUser();

        Response response = add(alice, Map.of("content", "I work at Hooli", "supersedes", List.of(bobsJob)));

        assertProblem(response, 404, "not_found");
        JsonNode untouched = get("/api/v1/memories/" + bobsJob, bob).json();
        assertThat(untouched.get("invalidAt").isNull()).isTrue();
        assertThat(untouched.get("supersededBy").isNull()).isTrue();
        assertThat(get("/api/v1/memories/" + bobsJob + "/history", bob).json().get("items"))
                .extracting(e -> e.get("event").asString())
                .containsExactly("ADD");
        assertThat(listed(alice, "?includeInvalid=true")).isEmpty(); // the add was rolled back as a whole
        assertProblem(
                add(alice, Map.of("content", "I work at Hooli", "supersedes", List.of(UUID.randomUUID()))),
                404,
                "not_found");
    }

    @Test
    void aMemoryCanBeSupersededOnlyOnce() {
        String token = newUser();
        String acme = addOk(token, ACME);
        assertThat(events(add(token, Map.of("content", GLOBEX, "supersedes", List.of(acme)))))
                .containsExactly("ADD " + GLOBEX, "SUPERSEDE " + ACME);

        JsonNode problem = assertProblem(
                add(token, Map.of("content", "I work at Initech", "supersedes", List.of(acme))), 409, "conflict");

        assertThat(problem.get("detail").asString()).contains(acme);
        assertThat(listed(token, "?includeInvalid=true")).containsExactlyInAnyOrder(ACME, GLOBEX);
    }

    @Test
    void badTimesAndBadSupersedesAreProblemsNamingTheField() {
        String token = newUser();
        String later = addOk(token, Map.of("content", GLOBEX, "validFrom", "2025-03-01T00:00:00Z"));

        assertThat(errorFields(
                        assertProblem(search(token, Map.of("query", "work", "asOf", "yesterday")), 400, "validation")))
                .containsExactly("asOf");
        assertThat(errorFields(assertProblem(get("/api/v1/memories?asOf=yesterday", token), 400, "validation")))
                .containsExactly("asOf");
        assertThat(errorFields(assertProblem(
                        search(token, Map.of("query", "work", "asOf", "2025-01-01T00:00:00Z", "includeInvalid", true)),
                        400,
                        "validation")))
                .containsExactly("includeInvalid");
        assertThat(errorFields(assertProblem(
                        add(token, Map.of("content", ACME, "validFrom", "last year")), 400, "validation")))
                .containsExactly("validFrom");
        assertThat(errorFields(assertProblem(
                        add(token, Map.of("content", ACME, "supersedes", List.of("not-a-uuid"))), 400, "validation")))
                .isNotEmpty()
                .allMatch(field -> field.startsWith("supersedes"));
        assertThat(errorFields(assertProblem(
                        add(
                                token,
                                Map.of(
                                        "messages",
                                        List.of(Map.of("role", "user", "content", "I work at Acme")),
                                        "supersedes",
                                        List.of(later))),
                        400,
                        "validation")))
                .containsExactly("supersedes");
        // a memory cannot be closed by one that starts before it
        assertThat(errorFields(assertProblem(
                        add(
                                token,
                                Map.of(
                                        "content",
                                        ACME,
                                        "validFrom",
                                        "2023-01-09T00:00:00Z",
                                        "supersedes",
                                        List.of(later))),
                        400,
                        "validation")))
                .containsExactly("supersedes");
        assertThat(listed(token, "?includeInvalid=true")).containsExactly(GLOBEX);
    }
}
