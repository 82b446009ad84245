@NullMarked
package ai.agency.multimodal.audio;

import org.jspecify.annotations.NullMarked;
