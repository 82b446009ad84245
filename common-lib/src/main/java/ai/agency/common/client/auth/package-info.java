@NullMarked
package ai.agency.common.client.auth;

import org.jspecify.annotations.NullMarked;
