package ai.agency.multimodal.audio;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The answer of {@code POST /api/v1/analyze/audio}. {@code bitsPerSample} is absent for lossy formats (they have
 * none); {@code transcription} only with a transcription provider.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AudioAnalysis(
        String format,
        String codec,
        double durationSeconds,
        int sampleRate,
        int channels,
        @Nullable Integer bitsPerSample,
        Loudness loudness,
        double silenceRatio,
        List<Segment> segments,
        @Nullable String transcription,
        List<String> unavailable) {

    /** dBFS of the whole file; {@value LoudnessMeter#FLOOR_DBFS} means digital silence. */
    public record Loudness(double rmsDbfs, double peakDbfs) {}

    /** A stretch of sound (speech or other) in seconds from the start. */
    public record Segment(double start, double end) {}
}
