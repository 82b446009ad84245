package ai.agency.orchestration.chat;

import jakarta.validation.constraints.NotBlank;

/** Body of POST /api/v1/conversations/{id}/messages; the length limit is agency.orchestration.max-content-length. */
record ChatRequest(@NotBlank String content, Boolean stream) {}
