package ai.agency.orchestration.workflow;

/** A row with its position ({@code seq}), for the cursors of workflow and run lists. */
record Row<T>(long seq, T value) {}
