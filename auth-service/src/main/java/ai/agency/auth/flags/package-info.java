/**
 * Feature flags: the table, the admin API ({@code /api/v1/admin/flags}) and the services' feed
 * ({@code GET /internal/flags}); evaluated by common-lib's {@code ai.agency.common.flags}.
 */
@NullMarked
package ai.agency.auth.flags;

import org.jspecify.annotations.NullMarked;
