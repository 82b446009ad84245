@NullMarked
package ai.agency.tool.execution;

import org.jspecify.annotations.NullMarked;
