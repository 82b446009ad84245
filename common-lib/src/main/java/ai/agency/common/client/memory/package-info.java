@NullMarked
package ai.agency.common.client.memory;

import org.jspecify.annotations.NullMarked;
