package ai.agency.multimodal.fusion;

import ai.agency.common.security.Caller;
import ai.agency.multimodal.audio.AudioAnalysis;
import ai.agency.multimodal.audio.AudioAnalyzer;
import ai.agency.multimodal.image.ImageAnalysis;
import ai.agency.multimodal.image.ImageAnalyzer;
import ai.agency.multimodal.safety.AnalysisGuard;
import ai.agency.multimodal.safety.Rejections;
import ai.agency.multimodal.text.TextAnalysis;
import ai.agency.multimodal.text.TextAnalyzer;
import ai.agency.multimodal.video.VideoAnalysis;
import ai.agency.multimodal.video.VideoAnalyzer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/** {@code POST /api/v1/analyze}: the parts {@code text}, {@code image}, {@code audio}, {@code video} in parallel. */
@RestController
class CombinedController {

    private final TextAnalyzer texts;
    private final ImageAnalyzer images;
    private final AudioAnalyzer audios;
    private final VideoAnalyzer videos;
    private final AnalysisGuard guard;
    private final Fusion fusion;

    CombinedController(
            TextAnalyzer texts,
            ImageAnalyzer images,
            AudioAnalyzer audios,
            VideoAnalyzer videos,
            AnalysisGuard guard,
            Fusion fusion) {
        this.texts = texts;
        this.images = images;
        this.audios = audios;
        this.videos = videos;
        this.guard = guard;
        this.fusion = fusion;
    }

    @PostMapping(path = "/api/v1/analyze", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    CombinedAnalysis analyze(
            @RequestParam(name = "text", required = false) @Nullable String text,
            @RequestPart(name = "image", required = false) @Nullable MultipartFile image,
            @RequestPart(name = "audio", required = false) @Nullable MultipartFile audio,
            @RequestPart(name = "video", required = false) @Nullable MultipartFile video,
            Caller caller) {
        if (text == null && image == null && audio == null && video == null) {
            throw Rejections.empty("text|image|audio|video");
        }
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<TextAnalysis> textResult = text == null
                    ? done()
                    : submit(
                            executor,
                            () -> guard.run(
                                    "text",
                                    "text",
                                    text.getBytes(StandardCharsets.UTF_8).length,
                                    () -> texts.analyze(text)));
            CompletableFuture<ImageAnalysis> imageResult = image == null
                    ? done()
                    : submit(
                            executor,
                            () -> guard.run(
                                    "image",
                                    "image",
                                    image.getSize(),
                                    () -> images.analyzeUpload("image", image, false)));
            CompletableFuture<AudioAnalysis> audioResult = audio == null
                    ? done()
                    : submit(
                            executor,
                            () -> guard.run(
                                    "audio", "audio", audio.getSize(), () -> audios.analyzeUpload("audio", audio)));
            CompletableFuture<VideoAnalysis> videoResult = video == null
                    ? done()
                    : submit(
                            executor,
                            () -> guard.run(
                                    "video", "video", video.getSize(), () -> videos.analyzeUpload("video", video)));
            TextAnalysis t = join(textResult);
            ImageAnalysis i = join(imageResult);
            AudioAnalysis a = join(audioResult);
            VideoAnalysis v = join(videoResult);
            List<CombinedAnalysis.Modality> modalities = new ArrayList<>();
            List<String> unavailable = new ArrayList<>();
            int ran = 0;
            if (t != null) {
                guard.counted(caller, "text", t);
                modalities.add(new CombinedAnalysis.Modality("text", t));
                ran++;
                t.unavailable().forEach(u -> unavailable.add("text." + u));
            }
            if (i != null) {
                guard.counted(caller, "image", i);
                modalities.add(new CombinedAnalysis.Modality("image", i));
                ran++;
                i.unavailable().forEach(u -> unavailable.add("image." + u));
            }
            if (a != null) {
                guard.counted(caller, "audio", a);
                modalities.add(new CombinedAnalysis.Modality("audio", a));
                ran++;
                a.unavailable().forEach(u -> unavailable.add("audio." + u));
            }
            if (v != null) {
                guard.counted(caller, "video", v);
                modalities.add(new CombinedAnalysis.Modality("video", v));
                ran++;
                v.unavailable().forEach(u -> unavailable.add("video." + u));
            }
            double confidence = Math.round(1000.0 * ran / (ran + unavailable.size())) / 1000.0;
            return new CombinedAnalysis(modalities, fusion.insights(t, i, a, v), confidence, unavailable);
        }
    }

    private static <T> CompletableFuture<T> done() {
        return CompletableFuture.completedFuture(null);
    }

    private static <T> CompletableFuture<T> submit(ExecutorService executor, Callable<T> task) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return task.call();
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                },
                executor);
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }
}
