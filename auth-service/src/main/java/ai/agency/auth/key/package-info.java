@NullMarked
package ai.agency.auth.key;

import org.jspecify.annotations.NullMarked;
