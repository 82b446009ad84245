@NullMarked
package ai.agency.multimodal;

import org.jspecify.annotations.NullMarked;
