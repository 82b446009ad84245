package ai.agency.multimodal.safety;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.multimodal.Fixtures;
import ai.agency.multimodal.MultimodalApiTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Files that are not what they claim, too large, or damaged: always a 4xx problem, never a 5xx. */
class HostileFilesTest extends MultimodalApiTest {

    private void assertProblem(Response response, int status) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().path("errorType").asString()).isEqualTo("validation");
        assertThat(response.json().path("traceId").asString()).isNotBlank();
    }

    @Test
    void truncatedPngIsUnprocessable() {
        byte[] png = Fixtures.encode(Fixtures.redBlue(300, 200), "png");

        assertProblem(upload("/api/v1/analyze/image", "cut.png", "image/png", Arrays.copyOf(png, png.length / 2)), 422);
    }

    @Test
    void truncatedJpegIsUnprocessable() {
        byte[] jpeg = Fixtures.encode(Fixtures.redBlue(300, 200), "jpg");

        assertProblem(
                upload("/api/v1/analyze/image", "cut.jpg", "image/jpeg", Arrays.copyOf(jpeg, jpeg.length / 3)), 422);
    }

    @Test
    void randomBytesClaimingToBePngAreUnsupported() {
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        noise[0] = 0x12; // not a known signature by chance

        assertProblem(upload("/api/v1/analyze/image", "photo.png", "image/png", noise), 415);
    }

    @Test
    void pngSignatureFollowedByGarbageIsUnprocessable() {
        byte[] noise = new byte[4096];
        new Random(8).nextBytes(noise);
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}, 0, noise, 0, 8);

        assertProblem(upload("/api/v1/analyze/image", "photo.png", "image/png", noise), 422);
    }

    @Test
    void decompressionBombIsRejectedFromItsHeader() {
        assertProblem(
                upload("/api/v1/analyze/image", "bomb.png", "image/png", Fixtures.pngHeader(100_000, 100_000)), 413);
    }

    @Test
    void zipRenamedToWavIsUnsupported() {
        Response response = upload("/api/v1/analyze/audio", "song.wav", "audio/wav", Fixtures.zip());

        assertProblem(response, 415);
        assertThat(response.json().path("detail").asString()).contains("zip");
    }

    @Test
    void imageSentToTheAudioEndpointIsUnsupported() {
        assertProblem(
                upload(
                        "/api/v1/analyze/audio",
                        "song.wav",
                        "audio/wav",
                        Fixtures.encode(Fixtures.redBlue(10, 10), "png")),
                415);
    }

    @Test
    void truncatedWavHeaderIsUnprocessable() {
        byte[] wav = Fixtures.wav(16_000, 0.1, 440, -6, 0);

        assertProblem(upload("/api/v1/analyze/audio", "cut.wav", "audio/wav", Arrays.copyOf(wav, 30)), 422);
    }

    @Test
    void emptyUploadsAreBadRequests() {
        assertProblem(upload("/api/v1/analyze/image", "empty.png", "image/png", new byte[0]), 400);
        assertProblem(upload("/api/v1/analyze/audio", "empty.wav", "audio/wav", new byte[0]), 400);
        assertProblem(upload("/api/v1/analyze/video", "empty.mp4", "video/mp4", new byte[0]), 400);
    }

    @Test
    void aMissingPartIsABadRequest() {
        assertProblem(multipart("/api/v1/analyze/image", Map.of("other", Part.field("x"))), 400);
    }

    @Test
    void garbageAfterAnMp4SignatureIsUnprocessable() {
        byte[] noise = new byte[8192];
        new Random(9).nextBytes(noise);
        System.arraycopy(new byte[] {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'}, 0, noise, 0, 12);

        assertProblem(upload("/api/v1/analyze/video", "clip.mp4", "video/mp4", noise), 422);
    }

    /** A file on the server that an upload must never reach: 2.5 s of a 440 Hz tone. */
    private static Path secretWav() throws IOException {
        Path secret = Files.createTempFile("secret-", ".wav");
        secret.toFile().deleteOnExit();
        Files.write(secret, Fixtures.wav(16_000, 2.5, 440, -3.0, 0));
        return secret;
    }

    /**
     * An empty ID3v2 tag (so the bytes sniff as MP3) followed by {@code text}: ffmpeg skips an ID3 tag before it
     * guesses a format, so without {@code -f} it reads what follows as whatever that text is.
     */
    private static byte[] behindAnId3Tag(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 0});
        bytes.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
        return bytes.toByteArray();
    }

    private void assertTheSecretWasNotRead(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(422);
        assertProblem(response, 422);
        assertThat(response.body()).doesNotContain("durationSeconds").doesNotContain("2.5");
    }

    @Test
    void anHlsPlaylistDisguisedAsMp3CannotMakeFfmpegReadAnotherFile() throws IOException {
        Path secret = secretWav();
        byte[] playlist = behindAnId3Tag("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10,\n"
                + secret.toAbsolutePath() + "\n#EXT-X-ENDLIST\n");

        assertTheSecretWasNotRead(upload("/api/v1/analyze/audio", "song.mp3", "audio/mpeg", playlist));
    }

    @Test
    void aConcatScriptDisguisedAsMp3CannotMakeFfmpegReadAnotherFile() throws IOException {
        // the concat demuxer's "safe" mode allows plain names next to the script: the upload's own temporary folder
        Path secret = secretWav();
        byte[] script = behindAnId3Tag("ffconcat version 1.0\nfile '" + secret.getFileName() + "'\n");

        assertTheSecretWasNotRead(upload("/api/v1/analyze/audio", "song.mp3", "audio/mpeg", script));
    }
}
