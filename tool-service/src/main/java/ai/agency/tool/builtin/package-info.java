@NullMarked
package ai.agency.tool.builtin;

import org.jspecify.annotations.NullMarked;
