/**
 * Usage per user and per day, and quotas: the owner of the usage API. The services that do the work relay their
 * usage events here; see docs/auth.md, "Usage and quotas".
 */
@NullMarked
package ai.agency.auth.usage;

import org.jspecify.annotations.NullMarked;
