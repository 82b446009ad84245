package ai.agency.memory.search;

import ai.agency.common.security.Caller;
import ai.agency.memory.memory.MemoryService;
import jakarta.validation.Valid;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class SearchController {

    private final MemorySearch search;

    SearchController(MemorySearch search) {
        this.search = search;
    }

    @PostMapping("/api/v1/memories/search")
    MemorySearch.SearchResponse search(
            @Valid @RequestBody SearchRequest request,
            @RequestParam(required = false) @Nullable UUID userId,
            Caller caller) {
        return search.run(MemoryService.owner(caller, userId), request);
    }
}
