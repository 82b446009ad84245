@NullMarked
package ai.agency.memory.embedding;

import org.jspecify.annotations.NullMarked;
