@NullMarked
package ai.agency.common.limit;

import org.jspecify.annotations.NullMarked;
