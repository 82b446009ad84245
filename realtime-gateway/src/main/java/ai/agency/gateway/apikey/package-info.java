@NullMarked
package ai.agency.gateway.apikey;

import org.jspecify.annotations.NullMarked;
