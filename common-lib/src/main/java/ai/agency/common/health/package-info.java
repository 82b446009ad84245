@NullMarked
package ai.agency.common.health;

import org.jspecify.annotations.NullMarked;
