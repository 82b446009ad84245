/**
 * A user's data rights across the platform: the export of everything ({@link ai.agency.auth.rights.Exports}) and the
 * erasure of an account in every service ({@link ai.agency.auth.rights.Erasures}), both durable jobs that call each
 * service's {@code /internal/account-data} endpoints (common-lib {@code accountdata}) with a token only this service
 * mints ({@link ai.agency.auth.rights.JobTokens}).
 */
@NullMarked
package ai.agency.auth.rights;

import org.jspecify.annotations.NullMarked;
