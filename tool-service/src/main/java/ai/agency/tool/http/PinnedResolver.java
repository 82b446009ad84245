package ai.agency.tool.http;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

/**
 * A Reactor Netty resolver that knows one host: it answers the addresses {@link AddressGuard#resolve} checked, and
 * nothing else, so the connection goes where the check looked and DNS is never asked again. The Host header, TLS SNI
 * and certificate check still use the host's name, from the URL.
 */
public final class PinnedResolver extends AddressResolverGroup<InetSocketAddress> {

    private final String host;
    private final List<InetAddress> addresses;

    public PinnedResolver(URI url, List<InetAddress> addresses) {
        this.host = url.getHost();
        this.addresses = List.copyOf(addresses);
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new InetSocketAddressResolver(executor, new InetNameResolver(executor) {
            @Override
            protected void doResolve(String name, Promise<InetAddress> promise) {
                if (host.equalsIgnoreCase(name) && !addresses.isEmpty()) {
                    promise.setSuccess(addresses.getFirst());
                } else {
                    promise.setFailure(unchecked(name));
                }
            }

            @Override
            protected void doResolveAll(String name, Promise<List<InetAddress>> promise) {
                if (host.equalsIgnoreCase(name) && !addresses.isEmpty()) {
                    promise.setSuccess(addresses);
                } else {
                    promise.setFailure(unchecked(name));
                }
            }
        });
    }

    private static UnknownHostException unchecked(String name) {
        return new UnknownHostException(name + " was not checked by the address guard");
    }
}
