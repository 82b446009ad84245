@NullMarked
package ai.agency.common.audit;

import org.jspecify.annotations.NullMarked;
