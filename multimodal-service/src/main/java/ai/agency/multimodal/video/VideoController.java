package ai.agency.multimodal.video;

import ai.agency.common.security.Caller;
import ai.agency.multimodal.MultimodalProperties;
import ai.agency.multimodal.safety.AnalysisGuard;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
class VideoController {

    private final VideoAnalyzer analyzer;
    private final AnalysisGuard guard;
    private final MultimodalProperties properties;

    VideoController(VideoAnalyzer analyzer, AnalysisGuard guard, MultimodalProperties properties) {
        this.analyzer = analyzer;
        this.guard = guard;
        this.properties = properties;
    }

    /** Multipart {@code file}. */
    @PostMapping(path = "/api/v1/analyze/video", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    VideoAnalysis analyze(@RequestPart(name = "file", required = false) @Nullable MultipartFile file, Caller caller) {
        return guard.counted(
                caller,
                "video",
                guard.run(
                        "video",
                        "file",
                        file == null ? 0 : file.getSize(),
                        () -> analyzer.analyzeUpload("file", file)));
    }
}
