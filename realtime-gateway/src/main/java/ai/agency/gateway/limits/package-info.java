@NullMarked
package ai.agency.gateway.limits;

import org.jspecify.annotations.NullMarked;
