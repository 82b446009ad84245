package ai.agency.common.warmup;

/**
 * One step of a service's warm-up before readiness (see {@link WarmUpRunner}): runs its hot path once — an embedding
 * through the real model, say — so that the first requests do not pay for loading and initializing it. A bean of
 * this type is all a service declares. What a step throws stops the start, as from any runner: a step catches and
 * logs what the service can live with (a remote model not reachable yet).
 */
@FunctionalInterface
public interface WarmUp {

    void warmUp() throws Exception;
}
