package ai.agency.multimodal.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.agency.multimodal.Fixtures;
import ai.agency.multimodal.MultimodalApiTest;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ImageAnalysisTest extends MultimodalApiTest {

    @Test
    void halfRedHalfBlueHasTwoDominantColoursOfHalfEach() {
        byte[] png = Fixtures.encode(Fixtures.redBlue(200, 100), "png");

        Response response = upload("/api/v1/analyze/image", "flag.png", "image/png", png);

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.path("format").asString()).isEqualTo("png");
        assertThat(body.path("width").asInt()).isEqualTo(200);
        assertThat(body.path("height").asInt()).isEqualTo(100);
        assertThat(body.path("hasAlpha").asBoolean()).isFalse();
        JsonNode colors = body.path("dominantColors");
        assertThat(colors).hasSize(2);
        assertThat(colors.findValuesAsString("hex")).containsExactlyInAnyOrder("#ff0000", "#0000ff");
        assertThat(colors.get(0).path("percentage").asDouble()).isCloseTo(50.0, within(1.0));
        assertThat(colors.get(1).path("percentage").asDouble()).isCloseTo(50.0, within(1.0));
        // luma of red 0.2126, of blue 0.0722 → mean 0.1424
        assertThat(body.path("brightness").asDouble()).isCloseTo(0.142, within(0.002));
        assertThat(body.path("sharpness").asDouble()).isGreaterThan(0);
        assertThat(body.path("perceptualHash").asString()).matches("[0-9a-f]{16}");
        assertThat(body.has("caption")).isFalse();
        assertThat(body.path("unavailable").toString()).contains("caption");
    }

    @Test
    void aFlatImageHasNoSharpnessAndTransparencyIsReported() {
        BufferedImage grey = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                grey.setRGB(x, y, 0xFF808080);
            }
        }

        JsonNode body = upload("/api/v1/analyze/image", "grey.png", "image/png", Fixtures.encode(grey, "png"))
                .json();

        assertThat(body.path("hasAlpha").asBoolean()).isTrue();
        assertThat(body.path("sharpness").asDouble()).isZero();
        assertThat(body.path("dominantColors")).hasSize(1);
        assertThat(body.path("dominantColors").get(0).path("hex").asString()).isEqualTo("#808080");
        assertThat(body.path("dominantColors").get(0).path("percentage").asDouble())
                .isEqualTo(100.0);
    }

    @Test
    void readsExifAndShowsGpsOnlyWhenAsked() {
        byte[] jpeg = Fixtures.jpegWithExif();

        JsonNode plain =
                upload("/api/v1/analyze/image", "photo.jpg", "image/jpeg", jpeg).json();
        JsonNode withGps = upload("/api/v1/analyze/image?includeGps=true", "photo.jpg", "image/jpeg", jpeg)
                .json();

        assertThat(plain.path("format").asString()).isEqualTo("jpeg");
        assertThat(plain.path("exif").path("Make").asString()).isEqualTo("AgencyCam");
        assertThat(plain.path("exif").path("Model").asString()).isEqualTo("Fixture 1");
        assertThat(plain.has("gps")).isFalse();
        assertThat(plain.path("exif").toString()).doesNotContain("GPS");
        assertThat(withGps.path("gps").path("latitude").asDouble()).isCloseTo(48.85, within(0.001));
        assertThat(withGps.path("gps").path("longitude").asDouble()).isCloseTo(2.35, within(0.001));
    }

    @Test
    void similarImagesHaveCloseHashes() {
        String a = upload(
                        "/api/v1/analyze/image", "a.png", "image/png", Fixtures.encode(Fixtures.scene(256, 256), "png"))
                .json()
                .path("perceptualHash")
                .asString();
        String b = upload(
                        "/api/v1/analyze/image",
                        "b.jpg",
                        "image/jpeg",
                        Fixtures.encode(Fixtures.scene(512, 512), "jpg"))
                .json()
                .path("perceptualHash")
                .asString();

        String other = upload(
                        "/api/v1/analyze/image",
                        "c.png",
                        "image/png",
                        Fixtures.encode(Fixtures.redBlue(256, 256), "png"))
                .json()
                .path("perceptualHash")
                .asString();

        assertThat(ImageAnalyzer.hashDistance(a, b)).isLessThanOrEqualTo(6);
        assertThat(ImageAnalyzer.hashDistance(a, other)).isGreaterThan(16);
    }
}
