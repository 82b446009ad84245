@NullMarked
package ai.agency.auth.admin;

import org.jspecify.annotations.NullMarked;
