@NullMarked
package ai.agency.auth.token;

import org.jspecify.annotations.NullMarked;
