package ai.agency.acyclic.beta;

/** A fixture of ArchitectureRulesTest. */
public class Beta {}
