@NullMarked
package ai.agency.auth;

import org.jspecify.annotations.NullMarked;
