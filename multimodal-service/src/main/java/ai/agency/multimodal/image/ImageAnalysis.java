package ai.agency.multimodal.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The answer of {@code POST /api/v1/analyze/image}. {@code brightness} is 0..1, {@code sharpness} the variance of
 * the Laplacian, {@code perceptualHash} a 64-bit DCT pHash in hex. {@code gps} only when asked for
 * ({@code ?includeGps=true}); {@code caption} only with a vision provider.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageAnalysis(
        String format,
        int width,
        int height,
        boolean hasAlpha,
        List<DominantColor> dominantColors,
        double brightness,
        double sharpness,
        String perceptualHash,
        Map<String, String> exif,
        @Nullable Gps gps,
        @Nullable String caption,
        List<String> unavailable) {

    /** {@code percentage} 0..100 of the (opaque) pixels. */
    public record DominantColor(String hex, double percentage) {}

    public record Gps(double latitude, double longitude) {}
}
