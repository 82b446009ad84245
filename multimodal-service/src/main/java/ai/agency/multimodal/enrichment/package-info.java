@NullMarked
package ai.agency.multimodal.enrichment;

import org.jspecify.annotations.NullMarked;
