package ai.agency.multimodal.safety;

/** An analysis that noticed it was interrupted (its time ran out) and stopped. */
public class InterruptedAnalysis extends RuntimeException {

    public InterruptedAnalysis() {
        super("the analysis was interrupted", null, false, false);
    }
}
