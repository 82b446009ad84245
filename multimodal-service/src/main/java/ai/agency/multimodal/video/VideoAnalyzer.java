package ai.agency.multimodal.video;

import ai.agency.multimodal.MultimodalProperties;
import ai.agency.multimodal.image.ImageAnalysis;
import ai.agency.multimodal.image.ImageAnalyzer;
import ai.agency.multimodal.media.Ffmpeg;
import ai.agency.multimodal.safety.Rejections;
import ai.agency.multimodal.safety.Sniffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import ws.schild.jave.info.MultimediaInfo;
import ws.schild.jave.info.VideoInfo;

/**
 * Container metadata of MP4/MOV, WebM/MKV and AVI as read by ffmpeg (duration, size, frame rate, codecs, audio
 * track), and the frame at mid-duration analysed like an uploaded image.
 */
@Service
public class VideoAnalyzer {

    private final MultimodalProperties properties;
    private final Ffmpeg ffmpeg;
    private final ImageAnalyzer images;

    public VideoAnalyzer(MultimodalProperties properties, Ffmpeg ffmpeg, ImageAnalyzer images) {
        this.properties = properties;
        this.ffmpeg = ffmpeg;
        this.images = images;
    }

    /** Checks, sniffs and analyses an uploaded part named {@code field}. */
    public VideoAnalysis analyzeUpload(String field, org.springframework.web.multipart.@Nullable MultipartFile file)
            throws java.io.IOException {
        ai.agency.multimodal.safety.Upload upload =
                ai.agency.multimodal.safety.Upload.of(field, file, Sniffer.Kind.VIDEO, properties.maxVideoSize());
        Path path = upload.toTempFile();
        try {
            return analyze(field, upload.format(), path);
        } finally {
            java.nio.file.Files.deleteIfExists(path);
        }
    }

    public VideoAnalysis analyze(String field, Sniffer.Format format, Path file) {
        MultimediaInfo info;
        try {
            info = ffmpeg.probe(file, format);
        } catch (Ffmpeg.UnreadableMediaException e) {
            throw Rejections.unreadable(field, "is not a readable " + format.label() + " file");
        }
        VideoInfo video = info.getVideo();
        if (video == null || video.getSize() == null) {
            throw Rejections.unreadable(field, "has no video stream");
        }
        double duration = Math.max(0, info.getDuration()) / 1000.0;
        double limit = properties.maxMediaDuration().toMillis() / 1000.0;
        if (duration > limit) {
            throw Rejections.tooLarge(field, String.format("lasts %.1f s; the limit is %.0f s", duration, limit));
        }
        long pixels = (long) video.getSize().getWidth() * video.getSize().getHeight();
        if (pixels > properties.maxImagePixels()) {
            throw Rejections.tooLarge(field, "declares frames of " + pixels + " pixels");
        }
        List<String> unavailable = new ArrayList<>();
        ImageAnalysis keyframe = null;
        try {
            byte[] png = ffmpeg.frame(file, format, duration / 2, properties.analysisTimeout());
            keyframe = images.analyze(field, Sniffer.Format.PNG, png, false);
            unavailable.addAll(keyframe.unavailable());
        } catch (Ffmpeg.UnreadableMediaException e) {
            unavailable.add("keyframe");
        }
        String audioCodec = info.getAudio() == null ? null : info.getAudio().getDecoder();
        return new VideoAnalysis(
                format.label(),
                Math.round(duration * 1000) / 1000.0,
                video.getSize().getWidth(),
                video.getSize().getHeight(),
                Math.round(video.getFrameRate() * 1000) / 1000.0,
                video.getDecoder(),
                audioCodec,
                audioCodec != null,
                keyframe,
                unavailable);
    }
}
