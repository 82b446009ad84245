/**
 * A user's data rights across services (GDPR articles 15, 17 and 20): every service that stores something of a user
 * implements {@link ai.agency.common.accountdata.AccountData}, and {@link
 * ai.agency.common.accountdata.AccountDataController} serves it to auth-service, which coordinates the export and the
 * erasure of an account, under {@code /internal/account-data} with a token only auth-service mints (scope {@code
 * account_data}, subject = the user concerned).
 */
@NullMarked
package ai.agency.common.accountdata;

import org.jspecify.annotations.NullMarked;
