@NullMarked
package ai.agency.gateway.routing;

import org.jspecify.annotations.NullMarked;
