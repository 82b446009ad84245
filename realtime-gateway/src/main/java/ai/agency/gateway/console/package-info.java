@NullMarked
package ai.agency.gateway.console;

import org.jspecify.annotations.NullMarked;
