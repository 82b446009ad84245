package ai.agency.multimodal.image;

import ai.agency.common.security.Caller;
import ai.agency.multimodal.MultimodalProperties;
import ai.agency.multimodal.safety.AnalysisGuard;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
class ImageController {

    private final ImageAnalyzer analyzer;
    private final AnalysisGuard guard;
    private final MultimodalProperties properties;

    ImageController(ImageAnalyzer analyzer, AnalysisGuard guard, MultimodalProperties properties) {
        this.analyzer = analyzer;
        this.guard = guard;
        this.properties = properties;
    }

    /** Multipart {@code file}; GPS coordinates only with {@code ?includeGps=true}. */
    @PostMapping(path = "/api/v1/analyze/image", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ImageAnalysis analyze(
            @RequestPart(name = "file", required = false) @Nullable MultipartFile file,
            @RequestParam(defaultValue = "false") boolean includeGps,
            Caller caller) {
        return guard.counted(
                caller,
                "image",
                guard.run(
                        "image",
                        "file",
                        file == null ? 0 : file.getSize(),
                        () -> analyzer.analyzeUpload("file", file, includeGps)));
    }
}
