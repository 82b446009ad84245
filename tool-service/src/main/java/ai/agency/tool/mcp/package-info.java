@NullMarked
package ai.agency.tool.mcp;

import org.jspecify.annotations.NullMarked;
