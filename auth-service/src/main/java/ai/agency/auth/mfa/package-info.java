@NullMarked
package ai.agency.auth.mfa;

import org.jspecify.annotations.NullMarked;
