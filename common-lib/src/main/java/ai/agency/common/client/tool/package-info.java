@NullMarked
package ai.agency.common.client.tool;

import org.jspecify.annotations.NullMarked;
