@NullMarked
package ai.agency.common.page;

import org.jspecify.annotations.NullMarked;
