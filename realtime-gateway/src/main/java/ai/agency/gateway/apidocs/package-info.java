@NullMarked
package ai.agency.gateway.apidocs;

import org.jspecify.annotations.NullMarked;
