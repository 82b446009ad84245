@NullMarked
package ai.agency.common.security;

import org.jspecify.annotations.NullMarked;
