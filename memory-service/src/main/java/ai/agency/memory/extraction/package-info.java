@NullMarked
package ai.agency.memory.extraction;

import org.jspecify.annotations.NullMarked;
