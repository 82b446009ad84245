package ai.agency.orchestration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** A webhook sender, as the contract describes one: signs the JSON body with the webhook's secret now and posts it. */
public final class SignedHooks {

    private static final HttpClient SENDER =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private SignedHooks() {}

    /** Delivers {@code body} to {@code /hooks/{webhookId}} with {@code Agency-Delivery: deliveryId}; the answer. */
    public static HttpResponse<String> deliver(
            int port, String webhookId, String secret, String body, String deliveryId) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        long t = Instant.now().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/hooks/" + webhookId))
                .header("Content-Type", "application/json")
                .header("Agency-Signature", "t=" + t + ",v1=" + hmac(secret, t, bytes))
                .header("Agency-Delivery", deliveryId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
        try {
            return SENDER.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String hmac(String secret, long t, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
