package ai.agency.orchestration.schedule;

import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/workflows/{id}/schedules}: the cron expression, its time zone (default {@code UTC}), the input
 * every run gets, and what happens to a tick missed while the platform was down ({@code run_once}, the default, or
 * {@code skip}).
 */
record ScheduleRequest(String cron, String timeZone, JsonNode input, String missedPolicy) {}
