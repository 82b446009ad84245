package ai.agency.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import tools.jackson.databind.JsonNode;

/**
 * Scenario d: a second gateway replica is started beside the platform's; {@code CHAOS_GATEWAY_CHATS} (100) clients
 * stream chat turns through it back to back, and it is killed (SIGKILL). Every client reconnects to the platform's
 * gateway and sends {@code resume {connectionId, afterSeq}}: the frames it missed are replayed with their own seq,
 * none lost or doubled, and every answer that ended reads exactly as orchestration stored it. Turns whose stream the
 * dead replica was still relaying must end too (with an answer or an error frame that says what happened), not hang.
 */
final class GatewayKill {

    private static final String STORY = "My story: I grew up by the sea in a small town where the wind never stopped. "
            + "Every morning I walked along the harbour, counted the fishing boats, and listened to the gulls. "
            + "Later I studied engineering, built bridges in three countries, learned to sail, and came back home "
            + "to open a workshop that repairs old wooden boats for the people of the town.";
    private static final String QUESTION = "What is my story?";

    private final Platform platform;
    private final Api api;
    private final Verdict verdict = new Verdict("gateway-kill");
    private final int chats = Integer.parseInt(System.getenv().getOrDefault("CHAOS_GATEWAY_CHATS", "100"));
    private final int perUser = Integer.parseInt(System.getenv().getOrDefault("CHAOS_CHATS_PER_USER", "5"));
    private final Duration endWait = Duration.ofSeconds(30);

    /** One client: its user, its socket on the replica to be killed, and every chat id it sent there. */
    private static final class Client {
        final Api.User user;
        final ChatSocket socket;
        final List<String> sent = Collections.synchronizedList(new ArrayList<>());
        String conversation;
        ChatSocket resumed;

        Client(Api.User user, ChatSocket socket) {
            this.user = user;
            this.socket = socket;
        }
    }

    /** What one client saw across the kill. */
    private record Outcome(
            boolean resumed,
            String resumeAnswer,
            int replayed,
            int seqGaps,
            int seqDuplicates,
            int completed,
            int mismatched,
            int cutOpen,
            int cutEndedLater,
            List<String> cutEndings,
            int cutStoredAnyway,
            int unknownToTheLog,
            int resentAnswered,
            int shed) {}

    GatewayKill(Platform platform) {
        this.platform = platform;
        this.api = platform.api;
    }

    int run() throws Exception {
        platform.requireUp();
        verdict.step("starting a second gateway replica on port " + (platform.portBase + 10));
        GatewayReplica replica = GatewayReplica.start(platform);
        List<Client> clients = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        try {
            replica.awaitReady(platform, Duration.ofMinutes(4));
            int userCount = (chats + perUser - 1) / perUser;
            verdict.step("replica ready (pid " + replica.pid() + "); signing up " + userCount + " users with a story");
            List<Api.User> users = users(userCount);
            for (int i = 0; i < chats; i++) {
                Api.User user = users.get(i / perUser);
                clients.add(new Client(user, ChatSocket.open(api.http(), replica.port, user.accessToken())));
            }
            verdict.step(chats + " clients stream \"" + QUESTION + "\" back to back through the second replica");
            try (ExecutorService loops = Executors.newVirtualThreadPerTaskExecutor()) {
                for (Client c : clients) {
                    loops.submit(() -> chatLoop(c));
                }
                Api.sleep(Duration.ofSeconds(15));
                verdict.step("kill -9 the second replica");
                replica.kill();
            }
            verdict.step("every client reconnects to the platform's gateway and resumes");
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Outcome>> futures = new ArrayList<>();
                for (Client c : clients) {
                    futures.add(pool.submit(() -> resume(c)));
                }
                for (Future<Outcome> f : futures) {
                    outcomes.add(f.get());
                }
            }
        } finally {
            replica.kill();
            clients.forEach(c -> {
                c.socket.close();
                if (c.resumed != null) {
                    c.resumed.close();
                }
            });
        }

        int resumed = (int) outcomes.stream().filter(Outcome::resumed).count();
        Map<String, Integer> resumeAnswers = new TreeMap<>();
        outcomes.stream()
                .filter(o -> !o.resumed())
                .forEach(o -> resumeAnswers.merge(o.resumeAnswer(), 1, Integer::sum));
        int replayed = outcomes.stream().mapToInt(Outcome::replayed).sum();
        int gaps = outcomes.stream().mapToInt(Outcome::seqGaps).sum();
        int dups = outcomes.stream().mapToInt(Outcome::seqDuplicates).sum();
        int completed = outcomes.stream().mapToInt(Outcome::completed).sum();
        int mismatched = outcomes.stream().mapToInt(Outcome::mismatched).sum();
        int cut = outcomes.stream().mapToInt(Outcome::cutOpen).sum();
        int cutEnded = outcomes.stream().mapToInt(Outcome::cutEndedLater).sum();
        int cutStored = outcomes.stream().mapToInt(Outcome::cutStoredAnyway).sum();
        Map<String, Integer> endings = new TreeMap<>();
        outcomes.forEach(o -> o.cutEndings().forEach(e -> endings.merge(e, 1, Integer::sum)));
        verdict.figure(
                "clients resumed on the other replica",
                resumed + " of " + outcomes.size()
                        + (resumeAnswers.isEmpty() ? "" : " (others: " + resumeAnswers + ")"));
        verdict.figure("frames replayed", replayed);
        verdict.figure(
                "turns shed by chat admission (429, sent again after retryAfter)",
                outcomes.stream().mapToInt(Outcome::shed).sum());
        verdict.figure(
                "answers complete before or by the replay",
                completed + " (" + mismatched + " differ from the stored message)");
        verdict.figure(
                "turns cut by the dead replica",
                cut + ": " + cutEnded + " ended later on the new connection " + endings + ", " + cutStored
                        + " stored complete by orchestration anyway");
        int unknown = outcomes.stream().mapToInt(Outcome::unknownToTheLog).sum();
        int resent = outcomes.stream().mapToInt(Outcome::resentAnswered).sum();
        verdict.figure(
                "requests the dead replica never answered",
                unknown + " (sent again on the new connection: " + resent + " answered)");
        mismatches.forEach(m -> verdict.figure("  differs", m));
        verdict.check(resumed == outcomes.size(), "every client resumes on the other replica");
        verdict.check(
                gaps == 0 && dups == 0, "no frame lost or doubled (seq gaps " + gaps + ", duplicates " + dups + ")");
        verdict.check(
                mismatched == 0,
                "every answer that ended reads exactly as stored (" + completed + " before the kill, " + cutEnded
                        + " cut)");
        verdict.check(
                cutEnded == cut,
                "every turn cut by the dead replica ends on the new connection within " + endWait.toSeconds() + " s ("
                        + cutEnded + " of " + cut + ")");
        verdict.check(
                resent == unknown,
                "every request the dead replica never answered is answered when sent again (" + resent + " of "
                        + unknown + ")");
        return verdict.finish();
    }

    private void chatLoop(Client c) {
        while (!c.socket.isClosed()) {
            // a shed turn is sent again after its retryAfter; every id sent is followed across the kill
            ChatSocket.Admitted admitted =
                    c.socket.chatUntilAdmitted(QUESTION, c.conversation, Duration.ofSeconds(60), c.sent::add);
            String id = admitted.requestId();
            JsonNode end = admitted.end();
            for (JsonNode f : c.socket.framesOf(id)) {
                if (f.path("type").asString().equals("stream_start")) {
                    c.conversation = f.path("conversationId").asString(c.conversation);
                }
            }
            if (end == null) {
                return;
            }
        }
    }

    private Outcome resume(Client c) {
        List<JsonNode> before = c.socket.frames();
        long afterSeq =
                before.stream().mapToLong(f -> f.path("seq").asLong()).max().orElse(0);
        ChatSocket next = ChatSocket.open(api.http(), platform.port("realtime-gateway"), c.user.accessToken());
        c.resumed = next;
        next.send(Map.of(
                "type", "resume", "id", "resume", "connectionId", c.socket.connectionId(), "afterSeq", afterSeq));
        JsonNode answer = next.await(f -> "resume".equals(f.path("requestId").asString("")), Duration.ofSeconds(20));
        if (answer == null || !answer.path("type").asString().equals("resumed")) {
            String why = answer == null
                    ? "no answer"
                    : answer.path("type").asString() + " "
                            + answer.path("errorType").asString("");
            return new Outcome(false, why, 0, 0, 0, 0, 0, 0, 0, List.of(), 0, 0, 0, 0);
        }
        // frames between the new connection's ready and resumed are the replay, with the old connection's seq
        List<JsonNode> after = next.frames();
        List<JsonNode> replay = new ArrayList<>();
        for (JsonNode f : after) {
            if (f == answer) {
                break;
            }
            if (!f.path("type").asString().equals("ready")) {
                replay.add(f);
            }
        }
        List<JsonNode> old = new ArrayList<>(before);
        old.addAll(replay);
        Set<Long> seqs = new HashSet<>();
        int dups = 0;
        for (JsonNode f : old) {
            if (!seqs.add(f.path("seq").asLong())) {
                dups++;
            }
        }
        long max = seqs.stream().mapToLong(Long::longValue).max().orElse(0);
        int gaps = (int) (max - seqs.size());

        Map<String, String> stored = storedAnswers(c);
        int completed = 0, mismatched = 0, cut = 0, endedLater = 0, storedAnyway = 0, unknown = 0, resentAnswered = 0;
        int shed = 0;
        List<String> endings = new ArrayList<>();
        for (String id : List.copyOf(c.sent)) {
            List<JsonNode> frames = old.stream()
                    .filter(f -> id.equals(f.path("requestId").asString("")))
                    .toList();
            boolean ended = frames.stream().anyMatch(GatewayKill::terminal);
            if (ended) {
                JsonNode end = frames.stream()
                        .filter(GatewayKill::terminal)
                        .findFirst()
                        .orElseThrow();
                if (end.path("errorType").asString("").equals("rate_limit")) {
                    shed++;
                }
                if (end.path("type").asString().equals("stream_end")) {
                    completed++;
                    String text = chunks(frames);
                    if (!text.equals(stored.get(end.path("responseId").asString()))) {
                        mismatched++;
                        example(
                                id + " (ended before the kill)",
                                text,
                                stored.get(end.path("responseId").asString()));
                    }
                }
                continue;
            }
            if (frames.isEmpty()) {
                // the dead replica never answered this request at all: the log cannot know it, the client sends it
                // again (docs/realtime.md#resume)
                unknown++;
                JsonNode end = next.chatUntilAdmitted(QUESTION, c.conversation, Duration.ofSeconds(60), sent -> {})
                        .end();
                if (end != null && end.path("type").asString().equals("stream_end")) {
                    resentAnswered++;
                }
                continue;
            }
            cut++;
            JsonNode later = next.await(f -> id.equals(f.path("requestId").asString("")) && terminal(f), endWait);
            String responseId = frames.stream()
                    .filter(f -> f.path("type").asString().equals("stream_start"))
                    .map(f -> f.path("responseId").asString())
                    .findFirst()
                    .orElse(null);
            if (later != null) {
                endedLater++;
                endings.add(later.path("type").asString()
                        + (later.has("errorType")
                                ? ":" + later.path("errorType").asString()
                                : "")
                        + (later.path("recovered").asBoolean() ? ":recovered" : ""));
                if (later.path("type").asString().equals("stream_end")) {
                    // what the old socket got, then everything of it on the new one (the replay included)
                    List<JsonNode> whole = new ArrayList<>(c.socket.framesOf(id));
                    whole.addAll(next.framesOf(id));
                    if (!chunks(whole).equals(storedAnswers(c).get(responseId))) {
                        mismatched++;
                        example(
                                id + " (ended after the kill)",
                                chunks(whole),
                                storedAnswers(c).get(responseId));
                    }
                }
            }
            if (responseId != null && storedAnswers(c).containsKey(responseId)) {
                storedAnyway++;
            }
        }
        return new Outcome(
                true,
                "resumed",
                replay.size(),
                gaps,
                dups,
                completed,
                mismatched,
                cut,
                endedLater,
                endings,
                storedAnyway,
                unknown,
                resentAnswered,
                shed);
    }

    private final List<String> mismatches = Collections.synchronizedList(new ArrayList<>());

    /** Keeps a few answers that differ from the stored message, to print them. */
    private void example(String what, String streamed, String stored) {
        if (mismatches.size() < 3) {
            mismatches.add(what + ": streamed " + Api.JSON.writeValueAsString(streamed) + " / stored "
                    + Api.JSON.writeValueAsString(stored));
        }
    }

    private static boolean terminal(JsonNode f) {
        return switch (f.path("type").asString()) {
            case "stream_end", "error", "response" -> true;
            default -> false;
        };
    }

    private static String chunks(List<JsonNode> frames) {
        StringBuilder text = new StringBuilder();
        frames.stream()
                .filter(f -> f.path("type").asString().equals("stream_chunk"))
                .forEach(f -> text.append(f.path("content").asString("")));
        return text.toString();
    }

    /** The assistant messages of the client's conversation as orchestration stored them: id → content. */
    private Map<String, String> storedAnswers(Client c) {
        Map<String, String> answers = new HashMap<>();
        if (c.conversation == null) {
            return answers;
        }
        String cursor = null;
        do {
            Api.Response page = api.get(
                    platform.gateway() + "/api/v1/conversations/" + c.conversation
                            + "/messages?limit=100"
                            + (cursor == null
                                    ? ""
                                    : "&cursor="
                                            + java.net.URLEncoder.encode(
                                                    cursor, java.nio.charset.StandardCharsets.UTF_8)),
                    c.user.accessToken());
            if (!page.ok()) {
                return answers;
            }
            for (JsonNode m : page.json().path("items")) {
                if (m.path("role").asString().equals("assistant")) {
                    answers.put(m.path("id").asString(), m.path("content").asString());
                }
            }
            cursor = page.json().path("nextCursor").isString()
                    ? page.json().path("nextCursor").asString()
                    : null;
        } while (cursor != null);
        return answers;
    }

    private List<Api.User> users(int count) throws Exception {
        return api.newUsersWithMemory(platform.gateway(), "chaos-gw", count, STORY);
    }
}
