@NullMarked
package ai.agency.tool.registry;

import org.jspecify.annotations.NullMarked;
