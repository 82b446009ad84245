@NullMarked
package ai.agency.common.client;

import org.jspecify.annotations.NullMarked;
