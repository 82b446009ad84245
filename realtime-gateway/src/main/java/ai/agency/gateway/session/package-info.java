@NullMarked
package ai.agency.gateway.session;

import org.jspecify.annotations.NullMarked;
