package ai.agency.memory.memory;

import ai.agency.common.security.Caller;
import jakarta.validation.Valid;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class MemoryController {

    private final MemoryService memories;

    MemoryController(MemoryService memories) {
        this.memories = memories;
    }

    record AddResponse(List<MemoryService.AddResult> results) {}

    @PostMapping("/api/v1/memories")
    @ResponseStatus(HttpStatus.CREATED)
    AddResponse add(@Valid @RequestBody AddMemoryRequest request, Caller caller) {
        return new AddResponse(memories.add(caller, request));
    }

    @GetMapping("/api/v1/memories/{id}")
    Memory get(@PathVariable UUID id, Caller caller) {
        return memories.get(caller, id);
    }

    @DeleteMapping("/api/v1/memories/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable UUID id, Caller caller) {
        memories.delete(caller, id);
    }
}
