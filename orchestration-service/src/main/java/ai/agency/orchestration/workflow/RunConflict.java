package ai.agency.orchestration.workflow;

/**
 * The run changed under its coordinator: the claim was lost (another instance executes the run), or a step was not
 * in the state the pass read. The pass's transaction is rolled back.
 */
final class RunConflict extends RuntimeException {

    private final boolean lostClaim;

    RunConflict(boolean lostClaim, String message) {
        super(message, null, false, false);
        this.lostClaim = lostClaim;
    }

    boolean lostClaim() {
        return lostClaim;
    }
}
