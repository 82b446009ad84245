package ai.agency.tool.http;

import ai.agency.common.error.AgencyException;
import ai.agency.tool.ToolProperties;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Server-side request forgery defence: decides whether a URL may be fetched. Only http/https; the host is resolved
 * and every address it resolves to must be public (no loopback, private, CGNAT, link-local, multicast, unique-local
 * IPv6, reserved or cloud metadata address, also when embedded in IPv4-mapped/compatible, NAT64 or 6to4 IPv6).
 * Numeric hosts in decimal, hex or octal notation are read the way C resolvers read them and refused unless written as
 * four plain decimal numbers. Hosts named in {@code agency.tool.allowed-hosts} skip the address checks.
 *
 * <p>A host is resolved once, by {@link #resolve}: the caller connects to exactly the addresses that were checked
 * ({@link PinnedResolver}), so a DNS server that answers a public address to the check and a private one to the
 * connection (DNS rebinding) does not reach the private one.
 */
@Component
public class AddressGuard {

    private static final Set<String> BLOCKED_NAMES =
            Set.of("localhost", "metadata", "metadata.google.internal", "metadata.goog", "instance-data");

    private final ToolProperties properties;

    public AddressGuard(ToolProperties properties) {
        this.properties = properties;
    }

    /** Checks {@code url}; throws a {@code validation} problem naming {@code field} when it may not be fetched. */
    public void check(URI url, String field) {
        resolve(url, field);
    }

    /**
     * Checks {@code url} and resolves its host once: the addresses a connection to it must use, every one of them
     * checked (or, for an allow-listed host, as resolved). Throws a {@code validation} problem naming {@code field}
     * when the URL may not be fetched.
     */
    public List<InetAddress> resolve(URI url, String field) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw refused(field, "only http and https URLs are allowed");
        }
        if (url.getRawUserInfo() != null) {
            throw refused(field, "URLs with user information are not allowed");
        }
        String host = url.getHost();
        if (host == null || host.isBlank()) {
            throw refused(field, "the URL has no host");
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        if (properties.isAllowListed(host)) {
            return lookUp(name, host, field);
        }
        String bare = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (BLOCKED_NAMES.contains(bare) || bare.endsWith(".localhost") || bare.endsWith(".internal")) {
            throw refused(field, "the host " + host + " is not a public address");
        }
        Optional<byte[]> numeric = parseNumericIpv4(bare);
        if (numeric.isPresent()) {
            if (!isCanonicalDottedQuad(bare)) {
                throw refused(field, "IPv4 addresses must be written as four decimal numbers");
            }
            checkAddress(numeric.get(), host, field);
        }
        List<InetAddress> addresses = lookUp(name, host, field);
        for (InetAddress address : addresses) {
            checkAddress(address.getAddress(), host, field);
        }
        return addresses;
    }

    private static List<InetAddress> lookUp(String name, String host, String field) {
        try {
            return List.of(InetAddress.getAllByName(name));
        } catch (UnknownHostException e) {
            throw refused(field, "the host " + host + " does not resolve");
        }
    }

    private static void checkAddress(byte[] address, String host, String field) {
        if (!isPublic(address)) {
            throw refused(field, "the host " + host + " is not a public address");
        }
    }

    /** True when {@code address} (4 or 16 bytes) is a public unicast address. */
    public static boolean isPublic(byte[] a) {
        if (a.length == 4) {
            return isPublicV4(a);
        }
        if (a.length != 16) {
            return false;
        }
        int first = a[0] & 0xff;
        int second = a[1] & 0xff;
        boolean zeroPrefix80 = allZero(a, 0, 10);
        if (zeroPrefix80 && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff) {
            return isPublicV4(Arrays.copyOfRange(a, 12, 16)); // IPv4-mapped ::ffff:a.b.c.d
        }
        if (zeroPrefix80 && a[10] == 0 && a[11] == 0) {
            return false; // ::, ::1 and IPv4-compatible ::a.b.c.d (deprecated; never public)
        }
        if (first == 0x00 && second == 0x64 && (a[2] & 0xff) == 0xff && (a[3] & 0xff) == 0x9b && allZero(a, 4, 12)) {
            return isPublicV4(Arrays.copyOfRange(a, 12, 16)); // NAT64 64:ff9b::/96
        }
        if (first == 0x20 && second == 0x02) {
            return isPublicV4(Arrays.copyOfRange(a, 2, 6)); // 6to4 2002::/16
        }
        if ((first & 0xfe) == 0xfc) {
            return false; // unique local fc00::/7 (includes fd00:ec2::254, the AWS metadata address)
        }
        if (first == 0xfe && (second & 0xc0) == 0x80) {
            return false; // link-local fe80::/10
        }
        if (first == 0xfe && (second & 0xc0) == 0xc0) {
            return false; // site-local fec0::/10 (deprecated)
        }
        if (first == 0xff) {
            return false; // multicast
        }
        if (first == 0x20 && second == 0x01 && (a[2] & 0xff) == 0x0d && (a[3] & 0xff) == 0xb8) {
            return false; // documentation 2001:db8::/32
        }
        return true;
    }

    private static boolean isPublicV4(byte[] a) {
        int b0 = a[0] & 0xff;
        int b1 = a[1] & 0xff;
        int b2 = a[2] & 0xff;
        return !(b0 == 0 // "this network"
                || b0 == 10 // private
                || b0 == 127 // loopback
                || (b0 == 100 && b1 >= 64 && b1 <= 127) // carrier-grade NAT
                || (b0 == 169 && b1 == 254) // link-local, including 169.254.169.254 (cloud metadata)
                || (b0 == 172 && b1 >= 16 && b1 <= 31) // private
                || (b0 == 192 && b1 == 0 && b2 == 0) // IETF protocol assignments
                || (b0 == 192 && b1 == 0 && b2 == 2) // documentation
                || (b0 == 192 && b1 == 168) // private
                || (b0 == 198 && (b1 == 18 || b1 == 19)) // benchmarking
                || (b0 == 198 && b1 == 51 && b2 == 100) // documentation
                || (b0 == 203 && b1 == 0 && b2 == 113) // documentation
                || b0 >= 224); // multicast, reserved, broadcast
    }

    private static boolean allZero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads {@code host} as inet_aton does: 1 to 4 parts, each decimal, 0x-hex or 0-octal, the last part filling the
     * remaining bytes ({@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1}, {@code 127.1}). Empty when the host is
     * not such a number.
     */
    static Optional<byte[]> parseNumericIpv4(String host) {
        if (host.isEmpty() || host.endsWith(".") && host.length() > 1 && host.charAt(host.length() - 2) == '.') {
            return Optional.empty();
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length > 4) {
            return Optional.empty();
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Long value = parsePart(parts[i]);
            if (value == null) {
                return Optional.empty();
            }
            values[i] = value;
        }
        long result = 0;
        for (int i = 0; i < values.length - 1; i++) {
            if (values[i] > 255) {
                return Optional.empty();
            }
            result |= values[i] << (24 - 8 * i);
        }
        long last = values[values.length - 1];
        int remainingBits = 32 - 8 * (values.length - 1);
        if (last >= (1L << remainingBits)) {
            return Optional.empty();
        }
        result |= last;
        return Optional.of(
                new byte[] {(byte) (result >>> 24), (byte) (result >>> 16), (byte) (result >>> 8), (byte) result});
    }

    private static @Nullable Long parsePart(String part) {
        try {
            if (part.isEmpty()) {
                return null;
            }
            if (part.startsWith("0x") || part.startsWith("0X")) {
                String hex = part.substring(2);
                if (hex.isEmpty()) {
                    return 0L;
                }
                // not in one ternary: its long branch would unbox the null one (an NPE for more than 8 digits)
                return hex.length() > 8 ? null : Long.valueOf(Long.parseLong(hex, 16));
            }
            if (part.length() > 1 && part.startsWith("0")) {
                return part.length() > 12 ? null : Long.parseLong(part.substring(1), 8);
            }
            return part.length() > 10 ? null : Long.parseLong(part, 10);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean isCanonicalDottedQuad(String host) {
        return host.matches(
                "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    }

    private static AgencyException refused(String field, String message) {
        return AgencyException.invalidField(field, "refused: " + message);
    }
}
