@NullMarked
package ai.agency.common.error;

import org.jspecify.annotations.NullMarked;
