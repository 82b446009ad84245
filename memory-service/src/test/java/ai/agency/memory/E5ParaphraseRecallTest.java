package ai.agency.memory;

import org.springframework.test.context.TestPropertySource;

/**
 * The paraphrase set and the supersede cases of {@link ParaphraseRecallTest} with e5-small-v2 as the model and its
 * ranking defaults: the hybrid must not lose to e5's dense ranking either (measured: dense 0.865 / 0.989, hybrid
 * 0.865 / 0.989, no question ranked worse). (The properties are those of
 * {@link ReembeddingTest}, so that both share one Spring context; the batch size and the job's delay change nothing
 * here.)
 */
@TestPropertySource(
        properties = {
            "agency.memory.embedding-model=e5-small-v2-q",
            "agency.memory.embedding.batch-size=2",
            "agency.memory.reembedding-initial-delay=PT1H"
        })
class E5ParaphraseRecallTest extends ParaphraseRecallTest {

    /** Measured 2026-12-08: 0.865 (dense alone 0.865 too: e5 is below MiniLM's 0.910 on this set), minus 0.02. */
    @Override
    protected double hybridRecallAt1Floor() {
        return 0.845;
    }

    /** Measured 2026-12-08: 0.989 (dense alone 0.989), minus 0.02. */
    @Override
    protected double hybridRecallAt5Floor() {
        return 0.969;
    }
}
