package ai.agency.multimodal.text;

import ai.agency.common.security.Caller;
import ai.agency.multimodal.safety.AnalysisGuard;
import java.nio.charset.StandardCharsets;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class TextController {

    private final TextAnalyzer analyzer;
    private final AnalysisGuard guard;

    TextController(TextAnalyzer analyzer, AnalysisGuard guard) {
        this.analyzer = analyzer;
        this.guard = guard;
    }

    /** Body {@code {text}}. */
    record TextRequest(String text) {}

    @PostMapping("/api/v1/analyze/text")
    TextAnalysis analyze(@RequestBody TextRequest request, Caller caller) {
        String text = request.text();
        long bytes = text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
        return guard.counted(caller, "text", guard.run("text", "text", bytes, () -> analyzer.analyze(text)));
    }
}
