package ai.agency.tool.registry;

import jakarta.validation.constraints.NotNull;

/** Body of {@code PATCH /api/v1/tools/{name}} (admins): switch a tool on or off without deleting it. */
public record UpdateToolRequest(@NotNull Boolean enabled) {}
