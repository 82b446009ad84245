@NullMarked
package ai.agency.tool.external;

import org.jspecify.annotations.NullMarked;
