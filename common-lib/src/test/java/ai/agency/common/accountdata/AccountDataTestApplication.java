package ai.agency.common.accountdata;

import ai.agency.common.testsupport.TestJwts;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/** A service built on common-lib that keeps notes per user in memory, declared as account data. */
@SpringBootApplication
public class AccountDataTestApplication {

    static final TestJwts JWTS = TestJwts.create();

    /** The notes of each user. */
    static final Map<UUID, List<String>> NOTES = new ConcurrentHashMap<>();

    @Bean
    JwtDecoder jwtDecoder() {
        return JWTS.decoder();
    }

    @Bean
    AccountData notes() {
        return new AccountData() {
            @Override
            public List<String> kinds() {
                return List.of("notes");
            }

            @Override
            public void export(UUID userId, String kind, RecordSink sink) throws java.io.IOException {
                for (String note : NOTES.getOrDefault(userId, List.of())) {
                    sink.write(Map.of("text", note));
                }
            }

            @Override
            public Map<String, Long> erase(UUID userId) {
                List<String> removed = NOTES.remove(userId);
                return Map.of("notes", removed == null ? 0L : removed.size());
            }
        };
    }

    @Bean
    AccountData settings() {
        return new AccountData() {
            @Override
            public List<String> kinds() {
                return List.of("settings");
            }

            @Override
            public void export(UUID userId, String kind, RecordSink sink) throws java.io.IOException {
                sink.write(Map.of("theme", "dark"));
            }

            @Override
            public Map<String, Long> erase(UUID userId) {
                return Map.of("settings", 0L);
            }
        };
    }

    static void note(UUID user, String text) {
        NOTES.computeIfAbsent(user, u -> new CopyOnWriteArrayList<>()).add(text);
    }
}
