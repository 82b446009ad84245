package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.memory.embedding.Embedder;
import ai.agency.memory.embedding.LocalEmbeddingProvider;
import ai.agency.memory.memory.Reembedding;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

/**
 * A model change of the same dimension: the service now runs e5-small-v2 on a database whose memories MiniLM
 * embedded (both make 384-dimension vectors, so the dimension guard cannot tell). Memories of the old model are
 * never compared with the new model's vectors — not by the dense ranking, not by the duplicate check — and the
 * background job re-embeds them, one replica at a time, with progress at {@code /actuator/embeddings}.
 */
@TestPropertySource(
        properties = {
            "agency.memory.embedding-model=e5-small-v2-q",
            "agency.memory.embedding.batch-size=2", // several batches for a handful of memories
            "agency.memory.reembedding-initial-delay=PT1H" // the test runs the job itself
        })
class ReembeddingTest extends MemoryApiTest {

    private static final String OLD_MODEL = "all-minilm-l6-v2-q";
    private static final String NEW_MODEL = "e5-small-v2-q";

    private static LocalEmbeddingProvider minilm;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    DataSource dataSource;

    @Autowired
    Reembedding reembedding;

    @Autowired
    Embedder embedder;

    @BeforeAll
    static void loadTheOldModel() {
        minilm = new LocalEmbeddingProvider(1, 1);
    }

    @AfterAll
    static void closeTheOldModel() {
        minilm.close();
    }

    /** Stores memories as the service did before the change: MiniLM's vectors, labelled with MiniLM. */
    private List<UUID> storedByTheOldModel(UUID user, String... texts) {
        return java.util.Arrays.stream(texts)
                .map(text -> storedAs(user, text, minilm.embedAll(List.of(text)).getFirst(), OLD_MODEL))
                .toList();
    }

    private UUID storedAs(UUID user, String text, float[] vector, String model) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        INSERT INTO memory.memories (id, user_id, content, content_hash, embedding, embedding_model)
                        VALUES (:id, :u, :c, md5(:c), CAST(:e AS vector), :m)""")
                .param("id", id)
                .param("u", user)
                .param("c", text)
                .param("e", java.util.Arrays.toString(vector))
                .param("m", model)
                .update();
        return id;
    }

    private String modelOf(UUID id) {
        return jdbc.sql("SELECT embedding_model FROM memory.memories WHERE id = :id")
                .param("id", id)
                .query(String.class)
                .single();
    }

    private float[] vectorOf(UUID id) {
        String text = jdbc.sql("SELECT embedding::text FROM memory.memories WHERE id = :id")
                .param("id", id)
                .query(String.class)
                .single();
        String[] parts = text.substring(1, text.length() - 1).split(",");
        float[] vector = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            vector[i] = Float.parseFloat(parts[i]);
        }
        return vector;
    }

    private Response status() {
        return get("/actuator/embeddings", jwts.admin(UUID.randomUUID()));
    }

    @Test
    void memoriesOfTheOldModelAreFoundByTextOnlyUntilTheJobReembedsThemWithTheNewModel() {
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        List<UUID> old = storedByTheOldModel(
                user,
                "I moved to Lisbon two years ago for my job.",
                "My favourite drink is green tea.",
                "I have a golden retriever called Max.");
        addOk(token, "I play the cello in a quartet.");

        assertThat(texts(search(token, Map.of("query", "Which city do I live in?", "mode", "dense"))))
                .as("the dense ranking compares e5 vectors only")
                .containsExactly("I play the cello in a quartet.");
        assertThat(texts(search(token, Map.of("query", "Lisbon", "mode", "text"))))
                .as("the text ranking finds every memory meanwhile")
                .containsExactly("I moved to Lisbon two years ago for my job.");
        Response before = status();
        assertThat(before.status()).as(before.body()).isEqualTo(200);
        Response asUser = get("/actuator/embeddings", token);
        assertThat(asUser.status()).as("all users' counts are for admins").isEqualTo(403);
        assertThat(before.json().get("model").asString()).isEqualTo(NEW_MODEL);
        assertThat(before.json().get("remaining").asLong()).isGreaterThanOrEqualTo(3);

        assertThat(reembedding.run()).isGreaterThanOrEqualTo(3);

        for (UUID id : old) {
            assertThat(modelOf(id)).isEqualTo(NEW_MODEL);
        }
        assertThat(vectorOf(old.getFirst()))
                .as("the vector e5 makes for the stored text")
                .containsExactly(
                        embedder.embed("I moved to Lisbon two years ago for my job."),
                        org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(texts(search(token, Map.of("query", "Which city do I live in?", "mode", "dense"))))
                .first()
                .isEqualTo("I moved to Lisbon two years ago for my job.");
        assertThat(texts(search(token, Map.of("query", "What is my dog's name?"))))
                .first()
                .isEqualTo("I have a golden retriever called Max.");
        Response after = status();
        assertThat(after.json().get("remaining").asLong()).isZero();
        assertThat(after.json().get("reembedded").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(after.json().get("lastError").isNull()).isTrue();
    }

    /** Without the model check, the old vector (equal to the new text's) made the add a duplicate: NOOP. */
    @Test
    void theDuplicateCheckNeverComparesWithAVectorOfAnotherModel() {
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        storedAs(user, "I live in Berlin, Germany.", embedder.embed("I live in Berlin."), OLD_MODEL);

        Response added = add(token, Map.of("content", "I live in Berlin.", "infer", false));

        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(added.json().get("results").get(0).get("event").asString()).isEqualTo("ADD");
        reembedding.run();
    }

    @Test
    void whileAnotherReplicaHoldsTheLockThisOneLeavesTheRowsAlone() throws Exception {
        UUID user = UUID.randomUUID();
        List<UUID> old = storedByTheOldModel(user, "I grow tomatoes on my balcony.");
        try (Connection other = dataSource.getConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, Reembedding.LOCK);
                lock.execute();
            }

            assertThat(reembedding.runBatch()).as("the lock is taken").isEqualTo(-1);
            assertThat(reembedding.run()).isZero();
            assertThat(modelOf(old.getFirst())).isEqualTo(OLD_MODEL);

            other.rollback();
        }
        assertThat(reembedding.run()).isGreaterThanOrEqualTo(1);
        assertThat(modelOf(old.getFirst())).isEqualTo(NEW_MODEL);
    }

    /** During a rolling change, a replica still on the old model must not re-embed the new model's rows back. */
    @Test
    void aReplicaWhoseModelIsNotTheOneInUseDoesNothing() {
        UUID user = UUID.randomUUID();
        List<UUID> old = storedByTheOldModel(user, "I collect vintage cameras.");
        jdbc.sql("UPDATE memory.embedding_config SET model = 'some-newer-model'")
                .update();
        try {
            assertThat(reembedding.run()).isZero();
            assertThat(modelOf(old.getFirst())).isEqualTo(OLD_MODEL);
        } finally {
            jdbc.sql("UPDATE memory.embedding_config SET model = :m")
                    .param("m", NEW_MODEL)
                    .update();
        }
        assertThat(reembedding.run()).isGreaterThanOrEqualTo(1);
        assertThat(modelOf(old.getFirst())).isEqualTo(NEW_MODEL);
    }

    @Test
    void anEditedMemoryIsEmbeddedWithTheModelInUse() {
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        UUID id = storedByTheOldModel(user, "I work at Acme.").getFirst();

        Response edited = send(
                "PATCH",
                "/api/v1/memories/" + id,
                token,
                JSON.writeValueAsString(Map.of("memory", "I work at Globex.")));

        assertThat(edited.status()).as(edited.body()).isEqualTo(200);
        assertThat(modelOf(id)).isEqualTo(NEW_MODEL);
        assertThat(texts(search(token, Map.of("query", "Where am I employed?", "mode", "dense"))))
                .containsExactly("I work at Globex.");
    }
}
