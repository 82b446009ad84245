@NullMarked
package ai.agency.gateway.forwarding;

import org.jspecify.annotations.NullMarked;
