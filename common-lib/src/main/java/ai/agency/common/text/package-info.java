@NullMarked
package ai.agency.common.text;

import org.jspecify.annotations.NullMarked;
