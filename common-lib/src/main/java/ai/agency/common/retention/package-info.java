/**
 * Retention: rows of a kind (audit events, tool executions, run events, …) older than the configured time are deleted
 * in batches by a scheduled job, with metrics of what was purged.
 */
@NullMarked
package ai.agency.common.retention;

import org.jspecify.annotations.NullMarked;
