@NullMarked
package ai.agency.multimodal.video;

import org.jspecify.annotations.NullMarked;
