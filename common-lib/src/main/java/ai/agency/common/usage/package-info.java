/**
 * Usage per user and per day: {@link ai.agency.common.usage.UsageRecorder} writes each usage event into the recording
 * service's own outbox table in the transaction of the work, {@link ai.agency.common.usage.UsageRelay} forwards the
 * outbox to the owner (auth-service), and {@link ai.agency.common.usage.Quotas} reads the owner's quota state for the
 * services that enforce a quota.
 */
@NullMarked
package ai.agency.common.usage;

import org.jspecify.annotations.NullMarked;
