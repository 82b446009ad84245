@NullMarked
package ai.agency.memory.filter;

import org.jspecify.annotations.NullMarked;
