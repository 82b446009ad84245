@NullMarked
package ai.agency.auth.audit;

import org.jspecify.annotations.NullMarked;
