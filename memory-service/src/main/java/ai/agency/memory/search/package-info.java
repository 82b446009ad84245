@NullMarked
package ai.agency.memory.search;

import org.jspecify.annotations.NullMarked;
