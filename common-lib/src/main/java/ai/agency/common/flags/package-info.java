/**
 * Feature flags through the OpenFeature API: {@link ai.agency.common.flags.FlagRule} (on/off, a stable per-user
 * percentage, roles), kept in auth-service's database and read by {@link ai.agency.common.flags.HttpFlagStore} from
 * its {@code GET /internal/flags}; {@link ai.agency.common.flags.AgencyFlagProvider} is the OpenFeature provider over
 * them and {@link ai.agency.common.flags.Flags} what the services call.
 */
@NullMarked
package ai.agency.common.flags;

import org.jspecify.annotations.NullMarked;
