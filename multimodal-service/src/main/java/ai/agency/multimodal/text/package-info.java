@NullMarked
package ai.agency.multimodal.text;

import org.jspecify.annotations.NullMarked;
