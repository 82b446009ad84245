@NullMarked
package ai.agency.tool.http;

import org.jspecify.annotations.NullMarked;
