@NullMarked
package ai.agency.auth.revocation;

import org.jspecify.annotations.NullMarked;
