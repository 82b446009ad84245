@NullMarked
package ai.agency.common.crypto;

import org.jspecify.annotations.NullMarked;
