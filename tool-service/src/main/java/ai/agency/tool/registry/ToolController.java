package ai.agency.tool.registry;

import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ToolController {

    private final ToolRegistry registry;

    ToolController(ToolRegistry registry) {
        this.registry = registry;
    }

    /**
     * Admins see every tool; others only the enabled ones. The registry is small (tens of tools), so it is one page:
     * {@code nextCursor} is always null.
     */
    @GetMapping("/api/v1/tools")
    Page<ToolView> list(Caller caller) {
        return Page.all(registry.list().stream()
                .filter(t -> t.enabled() || caller.isAdmin())
                .map(t -> registry.view(t, caller.isAdmin()))
                .toList());
    }

    @GetMapping("/api/v1/tools/{name}")
    ToolView get(@PathVariable String name, Caller caller) {
        return registry.view(registry.visible(caller, name), caller.isAdmin());
    }

    @PatchMapping("/api/v1/tools/{name}")
    ToolView update(@PathVariable String name, @Valid @RequestBody UpdateToolRequest request, Caller caller) {
        return registry.setEnabled(caller, name, request.enabled());
    }

    @PostMapping("/api/v1/tools")
    @ResponseStatus(HttpStatus.CREATED)
    ToolView register(@Valid @RequestBody RegisterToolRequest request, Caller caller) {
        return registry.register(caller, request);
    }

    @DeleteMapping("/api/v1/tools/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String name, Caller caller) {
        registry.delete(caller, name);
    }
}
