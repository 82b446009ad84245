@NullMarked
package ai.agency.multimodal.safety;

import org.jspecify.annotations.NullMarked;
