@NullMarked
package ai.agency.auth.apikey;

import org.jspecify.annotations.NullMarked;
