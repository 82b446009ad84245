package ai.agency.multimodal.bench;

import ai.agency.multimodal.Fixtures;
import ai.agency.multimodal.MultimodalProperties;
import ai.agency.multimodal.audio.AudioAnalyzer;
import ai.agency.multimodal.enrichment.Enrichments;
import ai.agency.multimodal.image.ImageAnalyzer;
import ai.agency.multimodal.media.Ffmpeg;
import ai.agency.multimodal.safety.Sniffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * A plain benchmark (not part of the test suite): images per second for 1-megapixel JPEGs, and the real-time factor
 * (audio seconds analysed per wall-clock second) for a 60 s 16 kHz mono WAV. Run from the module with
 * {@code ../mvnw -o -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=...AnalysisBenchmark},
 * or with {@code java -cp} on the test classpath.
 */
public final class AnalysisBenchmark {

    private AnalysisBenchmark() {}

    public static void main(String[] args) throws Exception {
        MultimodalProperties properties = new MultimodalProperties(
                100_000,
                org.springframework.util.unit.DataSize.ofMegabytes(20),
                org.springframework.util.unit.DataSize.ofMegabytes(50),
                org.springframework.util.unit.DataSize.ofMegabytes(100),
                40_000_000,
                4_000_000,
                Duration.ofSeconds(600),
                Duration.ofSeconds(30),
                0,
                Duration.ofSeconds(2),
                5,
                -50,
                -40,
                3,
                10,
                0.5,
                new MultimodalProperties.Provider("", "", "", Duration.ofSeconds(60)),
                new MultimodalProperties.Provider("", "", "", Duration.ofSeconds(60)),
                new MultimodalProperties.Provider("", "", "", Duration.ofSeconds(60)));
        Enrichments enrichments = new Enrichments(properties);
        ImageAnalyzer images = new ImageAnalyzer(properties, enrichments);
        byte[] jpeg = Fixtures.encode(Fixtures.scene(1000, 1000), "jpg");
        for (int i = 0; i < 20; i++) {
            images.analyze("file", Sniffer.Format.JPEG, jpeg, false);
        }
        int n = 100;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            images.analyze("file", Sniffer.Format.JPEG, jpeg, false);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "image: %d × 1000×1000 JPEG (%d bytes) in %.2f s = %.1f images/s%n",
                n,
                jpeg.length,
                seconds,
                n / seconds);

        AudioAnalyzer audio = new AudioAnalyzer(properties, new Ffmpeg(), enrichments);
        Path wav = Files.createTempFile("bench-", ".wav");
        Files.write(wav, Fixtures.wav(16_000, 40, 440, -6, 20));
        for (int i = 0; i < 5; i++) {
            audio.analyze("file", Sniffer.Format.WAV, wav);
        }
        int runs = 20;
        start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            audio.analyze("file", Sniffer.Format.WAV, wav);
        }
        seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "audio: %d × 60 s WAV in %.2f s = %.1f ms each, real-time factor %.0f×%n",
                runs,
                seconds,
                seconds / runs * 1000,
                runs * 60 / seconds);
        Files.delete(wav);
    }
}
