@NullMarked
package ai.agency.auth.ticket;

import org.jspecify.annotations.NullMarked;
