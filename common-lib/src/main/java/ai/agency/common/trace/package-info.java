@NullMarked
package ai.agency.common.trace;

import org.jspecify.annotations.NullMarked;
