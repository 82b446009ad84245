@NullMarked
package ai.agency.gateway;

import org.jspecify.annotations.NullMarked;
