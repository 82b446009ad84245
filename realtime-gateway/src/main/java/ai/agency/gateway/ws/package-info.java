@NullMarked
package ai.agency.gateway.ws;

import org.jspecify.annotations.NullMarked;
