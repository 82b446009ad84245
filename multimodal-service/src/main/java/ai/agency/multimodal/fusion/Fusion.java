package ai.agency.multimodal.fusion;

import ai.agency.multimodal.audio.AudioAnalysis;
import ai.agency.multimodal.image.ImageAnalysis;
import ai.agency.multimodal.image.ImageAnalyzer;
import ai.agency.multimodal.text.TextAnalysis;
import ai.agency.multimodal.text.TextAnalyzer;
import ai.agency.multimodal.video.VideoAnalysis;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Relates the results of several modalities. Every insight is computed from measured results: sentiment agreement
 * between the text and a transcript, keywords shared by the text and a caption or transcript, whether an image
 * resembles the video's middle frame (pHash distance), whether audio and video last equally long, and an integrated
 * summary line per modality. Insights that need an absent enrichment are not produced.
 */
@Component
public class Fusion {

    private final TextAnalyzer texts;

    public Fusion(TextAnalyzer texts) {
        this.texts = texts;
    }

    public List<CombinedAnalysis.Insight> insights(
            TextAnalysis text, ImageAnalysis image, AudioAnalysis audio, VideoAnalysis video) {
        List<CombinedAnalysis.Insight> insights = new ArrayList<>();
        TextAnalysis transcript = audio != null
                        && audio.transcription() != null
                        && !audio.transcription().isBlank()
                ? texts.analyze(audio.transcription())
                : null;
        if (text != null && transcript != null) {
            boolean agree =
                    text.sentiment().label().equals(transcript.sentiment().label());
            double difference =
                    Math.abs(text.sentiment().score() - transcript.sentiment().score());
            insights.add(new CombinedAnalysis.Insight(
                    List.of("text", "audio"),
                    agree
                            ? "The text and the spoken transcript share the same sentiment ("
                                    + text.sentiment().label() + ")."
                            : "The text reads " + text.sentiment().label() + " but the transcript sounds "
                                    + transcript.sentiment().label() + ".",
                    round(Math.min(
                                    text.sentiment().confidence(),
                                    transcript.sentiment().confidence())
                            * (1 - difference / 2))));
        }
        if (text != null) {
            if (image != null && image.caption() != null) {
                shared(insights, "image", "caption", text, texts.analyze(image.caption()));
            }
            if (transcript != null) {
                shared(insights, "audio", "transcript", text, transcript);
            }
        }
        if (image != null && video != null && video.keyframe() != null) {
            int distance = ImageAnalyzer.hashDistance(
                    image.perceptualHash(), video.keyframe().perceptualHash());
            insights.add(new CombinedAnalysis.Insight(
                    List.of("image", "video"),
                    distance <= 10
                            ? "The image closely resembles the video's middle frame (pHash distance " + distance
                                    + "/64)."
                            : "The image does not resemble the video's middle frame (pHash distance " + distance
                                    + "/64).",
                    round(Math.abs(distance - 10) / 54.0 * 0.5 + 0.5)));
        }
        if (audio != null && video != null) {
            double difference = Math.abs(audio.durationSeconds() - video.durationSeconds());
            insights.add(new CombinedAnalysis.Insight(
                    List.of("audio", "video"),
                    difference <= 0.5
                            ? String.format(
                                    Locale.ROOT,
                                    "The audio and the video last the same (%.1f s).",
                                    audio.durationSeconds())
                            : String.format(
                                    Locale.ROOT,
                                    "The audio lasts %.1f s and the video %.1f s.",
                                    audio.durationSeconds(),
                                    video.durationSeconds()),
                    1.0));
        }
        List<String> parts = new ArrayList<>();
        List<String> present = new ArrayList<>();
        if (text != null) {
            present.add("text");
            parts.add(String.format(
                    Locale.ROOT,
                    "text in %s, %s, about %s",
                    text.language().code(),
                    text.sentiment().label(),
                    String.join(", ", text.keywords().stream().limit(3).toList())));
        }
        if (image != null) {
            present.add("image");
            parts.add(String.format(
                    Locale.ROOT,
                    "a %d×%d %s image, mostly %s",
                    image.width(),
                    image.height(),
                    image.format(),
                    image.dominantColors().isEmpty()
                            ? "transparent"
                            : image.dominantColors().getFirst().hex()));
        }
        if (audio != null) {
            present.add("audio");
            parts.add(String.format(
                    Locale.ROOT,
                    "%.1f s of audio, %.0f %% silence, %d sound segment(s)",
                    audio.durationSeconds(),
                    audio.silenceRatio() * 100,
                    audio.segments().size()));
        }
        if (video != null) {
            present.add("video");
            parts.add(String.format(
                    Locale.ROOT,
                    "a %.1f s %d×%d %s video%s",
                    video.durationSeconds(),
                    video.width(),
                    video.height(),
                    video.videoCodec(),
                    video.hasAudio() ? " with sound" : ""));
        }
        if (!parts.isEmpty()) {
            insights.add(new CombinedAnalysis.Insight(present, "Summary: " + String.join("; ", parts) + ".", 1.0));
        }
        return insights;
    }

    private static void shared(
            List<CombinedAnalysis.Insight> insights,
            String modality,
            String what,
            TextAnalysis text,
            TextAnalysis other) {
        Set<String> common = new LinkedHashSet<>(text.keywords());
        common.retainAll(Set.copyOf(other.keywords()));
        int smaller =
                Math.max(1, Math.min(text.keywords().size(), other.keywords().size()));
        insights.add(new CombinedAnalysis.Insight(
                List.of("text", modality),
                common.isEmpty()
                        ? "The text and the " + what + " share no keywords."
                        : "The text and the " + what + " share the keywords " + String.join(", ", common) + ".",
                round(0.5 + 0.5 * common.size() / smaller)));
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
