@NullMarked
package ai.agency.memory.memory;

import org.jspecify.annotations.NullMarked;
