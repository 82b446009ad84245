@NullMarked
package ai.agency.common.client.multimodal;

import org.jspecify.annotations.NullMarked;
