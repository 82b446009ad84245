package ai.agency.multimodal.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.agency.multimodal.Fixtures;
import ai.agency.multimodal.MediaTool;
import ai.agency.multimodal.MultimodalApiTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AudioAnalysisTest extends MultimodalApiTest {

    private static final byte[] TONE_THEN_SILENCE = Fixtures.wav(16_000, 1.0, 440, -6.0, 1.0);

    @Test
    void measuresAToneFollowedBySilence() {
        Response response = upload("/api/v1/analyze/audio", "tone.wav", "audio/wav", TONE_THEN_SILENCE);

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.path("format").asString()).isEqualTo("wav");
        assertThat(body.path("durationSeconds").asDouble()).isEqualTo(2.0);
        assertThat(body.path("sampleRate").asInt()).isEqualTo(16_000);
        assertThat(body.path("channels").asInt()).isEqualTo(1);
        assertThat(body.path("bitsPerSample").asInt()).isEqualTo(16);
        assertThat(body.path("loudness").path("peakDbfs").asDouble()).isCloseTo(-6.0, within(0.05));
        // sine RMS is peak − 3.01 dB over the tone, and half the file is silent: −6 − 3.01 − 3.01
        assertThat(body.path("loudness").path("rmsDbfs").asDouble()).isCloseTo(-12.02, within(0.05));
        assertThat(body.path("silenceRatio").asDouble()).isCloseTo(0.5, within(0.01));
        assertThat(body.path("segments")).hasSize(1);
        assertThat(body.path("segments").get(0).path("start").asDouble()).isEqualTo(0.0);
        assertThat(body.path("segments").get(0).path("end").asDouble()).isCloseTo(1.0, within(0.02));
        assertThat(body.has("transcription")).isFalse();
        assertThat(body.path("unavailable").toString()).contains("transcription");
    }

    @Test
    void decodesMp3WithTheBundledFfmpeg() {
        byte[] mp3 = MediaTool.ffmpeg(
                ".mp3",
                "-i",
                MediaTool.temp(TONE_THEN_SILENCE, ".wav").toString(),
                "-codec:a",
                "libmp3lame",
                "-b:a",
                "64k");

        Response response = upload("/api/v1/analyze/audio", "tone.mp3", "audio/mpeg", mp3);

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.path("format").asString()).isEqualTo("mp3");
        assertThat(body.path("sampleRate").asInt()).isEqualTo(16_000);
        assertThat(body.path("channels").asInt()).isEqualTo(1);
        assertThat(body.has("bitsPerSample")).isFalse();
        // MP3 adds encoder padding at the ends, so the duration is about, not exactly, 2 s
        assertThat(body.path("durationSeconds").asDouble()).isCloseTo(2.0, within(0.15));
        assertThat(body.path("loudness").path("peakDbfs").asDouble()).isCloseTo(-6.0, within(1.0));
        assertThat(body.path("silenceRatio").asDouble()).isCloseTo(0.5, within(0.06));
        assertThat(body.path("segments")).hasSize(1);
    }
}
