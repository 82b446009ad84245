@NullMarked
package ai.agency.common.config;

import org.jspecify.annotations.NullMarked;
