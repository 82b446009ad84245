@NullMarked
package ai.agency.multimodal.image;

import org.jspecify.annotations.NullMarked;
