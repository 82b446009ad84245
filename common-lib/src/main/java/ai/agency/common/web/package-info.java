@NullMarked
package ai.agency.common.web;

import org.jspecify.annotations.NullMarked;
