@NullMarked
package ai.agency.tool;

import org.jspecify.annotations.NullMarked;
