package ai.agency.tool;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A hostile DNS server for the tests' JVM (installed through {@code META-INF/services}; every name not scripted here
 * goes to the JDK's resolver): a scripted name answers a public address to its first lookups and 127.0.0.1 after
 * that, the way a DNS rebinding attacker answers with TTL 0. The test JVM caches no lookups
 * ({@code -Dsun.net.inetaddr.ttl=0} in the pom), so every lookup reaches this resolver.
 */
public class RebindingDns extends InetAddressResolverProvider {

    private record Script(byte[] first, int firstLookups, AtomicInteger lookups) {}

    private static final Map<String, Script> SCRIPTS = new ConcurrentHashMap<>();

    /** {@code host} answers {@code publicAddress} to its first {@code lookups} lookups, then 127.0.0.1. */
    public static void rebind(String host, byte[] publicAddress, int lookups) {
        SCRIPTS.put(host.toLowerCase(Locale.ROOT), new Script(publicAddress, lookups, new AtomicInteger()));
    }

    /** How often {@code host} was looked up. */
    public static int lookups(String host) {
        Script script = SCRIPTS.get(host.toLowerCase(Locale.ROOT));
        return script == null ? 0 : script.lookups().get();
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                Script script = SCRIPTS.get(host.toLowerCase(Locale.ROOT));
                if (script == null) {
                    return builtin.lookupByName(host, policy);
                }
                boolean early = script.lookups().incrementAndGet() <= script.firstLookups();
                return Stream.of(InetAddress.getByAddress(host, early ? script.first() : new byte[] {127, 0, 0, 1}));
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                return builtin.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "rebinding test DNS";
    }
}
