@NullMarked
package ai.agency.auth.account;

import org.jspecify.annotations.NullMarked;
