package ai.agency.multimodal.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.agency.multimodal.MediaTool;
import ai.agency.multimodal.MultimodalApiTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class VideoAnalysisTest extends MultimodalApiTest {

    /** 2 s of a solid red 160×120 picture at 25 fps (MPEG-4 part 2) with a 440 Hz AAC track. */
    static byte[] redMp4() {
        return MediaTool.ffmpeg(
                ".mp4",
                "-f",
                "lavfi",
                "-i",
                "color=c=red:s=160x120:r=25:d=2",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:sample_rate=16000:duration=2",
                "-c:v",
                "mpeg4",
                "-c:a",
                "aac",
                "-shortest");
    }

    @Test
    void readsContainerMetadataAndAnalysesTheMiddleFrame() {
        Response response = upload("/api/v1/analyze/video", "clip.mp4", "video/mp4", redMp4());

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.path("container").asString()).isEqualTo("mp4");
        assertThat(body.path("durationSeconds").asDouble()).isCloseTo(2.0, within(0.1));
        assertThat(body.path("width").asInt()).isEqualTo(160);
        assertThat(body.path("height").asInt()).isEqualTo(120);
        assertThat(body.path("frameRate").asDouble()).isCloseTo(25.0, within(0.01));
        assertThat(body.path("videoCodec").asString()).contains("mpeg4");
        assertThat(body.path("audioCodec").asString()).contains("aac");
        assertThat(body.path("hasAudio").asBoolean()).isTrue();
        JsonNode keyframe = body.path("keyframe");
        assertThat(keyframe.path("width").asInt()).isEqualTo(160);
        assertThat(keyframe.path("dominantColors")).hasSize(1);
        String hex = keyframe.path("dominantColors").get(0).path("hex").asString();
        int red = Integer.parseInt(hex.substring(1, 3), 16);
        int green = Integer.parseInt(hex.substring(3, 5), 16);
        assertThat(red).isGreaterThan(230);
        assertThat(green).isLessThan(20);
    }
}
