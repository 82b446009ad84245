@NullMarked
package ai.agency.memory;

import org.jspecify.annotations.NullMarked;
