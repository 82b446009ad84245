@NullMarked
package ai.agency.common.sse;

import org.jspecify.annotations.NullMarked;
