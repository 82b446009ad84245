package ai.agency.orchestration.workflow;

import ai.agency.common.crypto.SecretSealer;
import ai.agency.common.security.Caller;
import ai.agency.common.testsupport.TestDatabase;
import ai.agency.orchestration.OrchestrationServiceApplication;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * Engine overhead benchmark (not a test; see docs/BENCHMARKS.md). Starts orchestration-service's application
 * context (no web server) on a fresh database and measures, through {@link WorkflowService} and the real
 * {@link RunEngine}:
 *
 * <ol>
 *   <li>a chain of 50 {@code transform} steps (each depends on the previous one);
 *   <li>a 50-wide fan-out: one root, 50 independent {@code transform} steps, one join (52 steps);
 *   <li>sustained throughput: small runs (3 chained {@code transform} steps) with 100 in flight.
 * </ol>
 *
 * A transform step does no I/O, so what is measured is the engine: claiming, committing every state change with its
 * event, scheduling, virtual threads. Per-step figures use the run's own {@code started_at}/{@code completed_at}
 * (PostgreSQL's {@code now()}, the start of the transaction that wrote them, so the last transaction's own time is
 * not in them) and, as an upper bound, the wall clock from {@code start()} (which commits the new run) until the
 * benchmark sees the ended run.
 *
 * <pre>
 * ./mvnw -B -o -pl orchestration-service test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=ai.agency.orchestration.workflow.EngineBenchmark [-Dexec.args="5 1000"]
 * </pre>
 *
 * Arguments: repetitions of each single-run case (default 5), runs in the throughput case (default 1000), then any
 * number of settings without the leading {@code --} (e.g. {@code spring.datasource.hikari.maximum-pool-size=30}); the
 * word {@code synchronous_commit=off} sets that on the benchmark's database, which shows the engine's own cost
 * without the disk flush of every commit (never do this in production: a crash may lose the last commits).
 * Database: {@code AGENCY_TEST_DB_URL}/{@code _USERNAME}/{@code _PASSWORD} as for the tests.
 */
public final class EngineBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WorkflowService workflows;
    private final RunRepository runs;
    private final RunNotifier notifier;
    private final JdbcClient jdbc;
    private final Caller caller =
            new Caller(UUID.randomUUID(), "bench", Set.of(Caller.USER), Set.of("read", "write"), "no-token");

    private EngineBenchmark(ConfigurableApplicationContext context) {
        this.workflows = context.getBean(WorkflowService.class);
        this.runs = context.getBean(RunRepository.class);
        this.notifier = context.getBean(RunNotifier.class);
        this.jdbc = context.getBean(JdbcClient.class);
    }

    public static void main(String[] args) throws Exception {
        int repetitions = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int throughputRuns = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        List<String> settings = new ArrayList<>();
        boolean asyncCommit = false;
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("synchronous_commit=off")) {
                asyncCommit = true; // to see the engine's own cost without waiting for the disk on every commit
            } else {
                settings.add("--" + args[i]); // e.g. spring.datasource.hikari.maximum-pool-size=20
            }
        }
        TestDatabase.Coordinates db = TestDatabase.create();
        if (asyncCommit) {
            try (Connection connection = DriverManager.getConnection(db.url(), db.username(), db.password());
                    Statement statement = connection.createStatement()) {
                String name = db.url().substring(db.url().lastIndexOf('/') + 1).split("\\?")[0];
                statement.execute("ALTER DATABASE " + name + " SET synchronous_commit = off");
            }
            settings.add("(database: synchronous_commit=off)");
        }
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                        OrchestrationServiceApplication.class)
                .web(WebApplicationType.NONE)
                .run(Stream.concat(
                                Stream.of(
                                        "--spring.datasource.url=" + db.url(),
                                        "--spring.datasource.username=" + db.username(),
                                        "--spring.datasource.password=" + db.password(),
                                        "--AGENCY_MASTER_KEY=" + SecretSealer.newMasterKey(),
                                        "--agency.usage.ingest-secret=" + SecretSealer.newMasterKey(),
                                        "--agency.orchestration.workflows.run-credentials=false",
                                        "--agency.orchestration.workflows.recovery-interval=1h",
                                        "--logging.level.root=WARN"),
                                settings.stream().filter(a -> a.startsWith("--")))
                        .toArray(String[]::new))) {
            System.out.println("settings: " + settings);
            new EngineBenchmark(context).run(repetitions, throughputRuns);
        }
        System.exit(0);
    }

    private void run(int repetitions, int throughputRuns) throws InterruptedException {
        System.out.printf(
                "cpus=%d java=%s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        UUID chain = workflow(chain(50));
        UUID fanOut = workflow(fanOut(50));
        UUID small = workflow(chain(3));
        System.out.println("warm-up ...");
        for (int i = 0; i < 5; i++) {
            runOnce(chain);
            runOnce(fanOut);
        }
        throughput(small, 200, 100);

        report("chain of 50 transforms", chain, 50, repetitions);
        report("fan-out 1 -> 50 -> 1 transforms", fanOut, 52, repetitions);

        throughput(small, throughputRuns, 100);
    }

    private void report(String name, UUID workflowId, int steps, int repetitions) throws InterruptedException {
        List<Double> perStep = new ArrayList<>();
        List<Double> wallPerStep = new ArrayList<>();
        for (int i = 0; i < repetitions; i++) {
            long began = System.nanoTime();
            Run run = runOnce(workflowId);
            wallPerStep.add((System.nanoTime() - began) / 1e6 / steps);
            double ms = Duration.between(run.startedAt(), run.completedAt()).toNanos() / 1e6;
            perStep.add(ms / steps);
        }
        Collections.sort(perStep);
        Collections.sort(wallPerStep);
        System.out.printf(
                "%s: per step median %.2f ms, min %.2f ms, max %.2f ms (%d runs; run time median %.0f ms)%n",
                name,
                perStep.get(perStep.size() / 2),
                perStep.getFirst(),
                perStep.getLast(),
                repetitions,
                perStep.get(perStep.size() / 2) * steps);
        System.out.printf(
                "%s, wall clock from start() to the ended run seen: per step median %.2f ms, min %.2f ms, max %.2f ms%n",
                name, wallPerStep.get(wallPerStep.size() / 2), wallPerStep.getFirst(), wallPerStep.getLast());
    }

    /** Starts one run and waits until it has ended; returns it as stored. */
    private Run runOnce(UUID workflowId) throws InterruptedException {
        UUID runId = workflows.start(caller, workflowId, null).id();
        while (true) {
            long seen = notifier.version();
            Run run = runs.findRun(runId).orElseThrow();
            if (run.finished()) {
                if (!Run.SUCCEEDED.equals(run.status())) {
                    throw new IllegalStateException("run " + runId + " ended " + run.status() + ": " + run.error());
                }
                return run;
            }
            notifier.await(seen, Duration.ofMillis(200));
        }
    }

    /** Starts {@code total} runs keeping {@code inFlight} unfinished at a time; prints runs per second. */
    private void throughput(UUID workflowId, int total, int inFlight) throws InterruptedException {
        Semaphore slots = new Semaphore(inFlight);
        Set<UUID> open = ConcurrentHashMap.newKeySet();
        int[] failed = {0};
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                List<UUID> ids = List.copyOf(open);
                try {
                    release(ids, open, slots, failed);
                } catch (RuntimeException e) {
                    System.out.println("watcher: " + e);
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Instant start = Instant.now();
        List<Thread> starters = new ArrayList<>();
        int[] notStarted = {0};
        for (int i = 0; i < total; i++) {
            slots.acquire();
            starters.add(Thread.ofVirtual().start(() -> {
                try {
                    open.add(workflows.start(caller, workflowId, null).id());
                } catch (RuntimeException e) {
                    synchronized (notStarted) {
                        notStarted[0]++;
                    }
                    slots.release();
                }
            }));
        }
        for (Thread starter : starters) {
            starter.join();
        }
        boolean all = slots.tryAcquire(inFlight, 10, TimeUnit.MINUTES);
        Duration took = Duration.between(start, Instant.now());
        watcher.interrupt();
        int finished = total - notStarted[0] - (all ? 0 : open.size());
        System.out.printf(
                "throughput: %d runs of 3 transforms, %d in flight: %.1f runs/s finished (%.1f s; %d not started"
                        + " (start failed), %d finished other than succeeded%s)%n",
                total,
                inFlight,
                finished / (took.toNanos() / 1e9),
                took.toNanos() / 1e9,
                notStarted[0],
                failed[0],
                all ? "" : ", " + open.size() + " still unfinished after 10 min");
    }

    private void release(List<UUID> ids, Set<UUID> open, Semaphore slots, int[] failed) {
        if (!ids.isEmpty()) {
            List<String[]> done = jdbc.sql("""
                            SELECT id::text, status FROM runs WHERE id = ANY(:ids)
                              AND status IN ('succeeded', 'failed', 'cancelled')
                            """)
                    .param("ids", ids.toArray(UUID[]::new))
                    .query((rs, i) -> new String[] {rs.getString(1), rs.getString(2)})
                    .list();
            for (String[] row : done) {
                if (open.remove(UUID.fromString(row[0]))) {
                    if (!Run.SUCCEEDED.equals(row[1])) {
                        failed[0]++;
                    }
                    slots.release();
                }
            }
        }
    }

    private UUID workflow(List<StepDefinition> steps) {
        return workflows
                .create(caller, new WorkflowRequest("bench", null, steps))
                .id();
    }

    private static List<StepDefinition> chain(int length) {
        List<StepDefinition> steps = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            steps.add(transform(
                    "s" + i,
                    i == 0 ? List.of() : List.of("s" + (i - 1)),
                    i == 0 ? "start" : "{{steps.s" + (i - 1) + ".output}}"));
        }
        return steps;
    }

    private static List<StepDefinition> fanOut(int width) {
        List<StepDefinition> steps = new ArrayList<>();
        steps.add(transform("root", List.of(), "start"));
        List<String> branches = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            steps.add(transform("b" + i, List.of("root"), "{{steps.root.output}}-" + i));
            branches.add("b" + i);
        }
        steps.add(transform("join", branches, "{{steps.b0.output}}"));
        return steps;
    }

    private static StepDefinition transform(String id, List<String> dependsOn, String input) {
        return new StepDefinition(
                id, null, "transform", JSON.getNodeFactory().stringNode(input), dependsOn, null, null, null, null);
    }
}
