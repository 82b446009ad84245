@NullMarked
package ai.agency.multimodal.fusion;

import org.jspecify.annotations.NullMarked;
