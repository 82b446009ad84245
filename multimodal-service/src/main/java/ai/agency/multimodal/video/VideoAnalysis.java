package ai.agency.multimodal.video;

import ai.agency.multimodal.image.ImageAnalysis;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The answer of {@code POST /api/v1/analyze/video}. {@code audioCodec} only when there is an audio track;
 * {@code keyframe} is the frame at mid-duration analysed as an image.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VideoAnalysis(
        String container,
        double durationSeconds,
        int width,
        int height,
        double frameRate,
        String videoCodec,
        @Nullable String audioCodec,
        boolean hasAudio,
        @Nullable ImageAnalysis keyframe,
        List<String> unavailable) {}
