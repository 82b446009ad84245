package ai.agency.chaos;

/**
 * Entry point: {@code java -jar chaos.jar <scenario>} against the platform that {@code ./platform up} started from
 * the checkout named by {@code -Dchaos.root} (run.sh sets it). Prints figures, ends with PASS or FAIL; exit code 0/1.
 */
public final class Chaos {

    private Chaos() {}

    public static void main(String[] args) throws Exception {
        String scenario = args.length > 0 ? args[0] : "";
        Platform platform = new Platform();
        int code = switch (scenario) {
            case "auth-down" -> new AuthDown(platform).run();
            case "memory-kill" -> new MemoryKill(platform).run();
            case "db-restart" -> new DatabaseRestart(platform).run();
            case "gateway-kill" -> new GatewayKill(platform).run();
            case "rolling-restart" -> new RollingRestart(platform).run();
            default -> {
                System.err.println(
                        "usage: run.sh auth-down | memory-kill | db-restart | gateway-kill | rolling-restart");
                yield 2;
            }
        };
        System.exit(code);
    }
}
