@NullMarked
package ai.agency.multimodal.media;

import org.jspecify.annotations.NullMarked;
