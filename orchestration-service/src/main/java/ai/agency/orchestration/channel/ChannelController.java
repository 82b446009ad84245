package ai.agency.orchestration.channel;

import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ChannelController {

    private final ChannelService channels;

    ChannelController(ChannelService channels) {
        this.channels = channels;
    }

    @PostMapping("/api/v1/channels")
    ResponseEntity<ChannelRepository.Channel> create(
            @RequestBody ChannelService.ChannelRequest request, Caller caller) {
        return ResponseEntity.status(HttpStatus.CREATED).body(channels.create(caller, request));
    }

    @GetMapping("/api/v1/channels/{id}")
    ChannelRepository.Channel get(@PathVariable UUID id, Caller caller) {
        return channels.get(caller, id);
    }

    @DeleteMapping("/api/v1/channels/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable UUID id, Caller caller) {
        channels.delete(caller, id);
    }

    @PostMapping("/api/v1/channels/{id}/messages")
    ResponseEntity<Map<String, Object>> post(
            @PathVariable UUID id, @RequestBody ChannelService.MessageRequest request, Caller caller) {
        UUID messageId = channels.post(caller, id, request);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of("id", messageId, "channelId", id));
    }

    @GetMapping("/api/v1/channels/{id}/messages")
    Page<ChannelRepository.Message> messages(
            @PathVariable UUID id,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor,
            Caller caller) {
        return channels.messages(caller, id, limit, cursor);
    }
}
