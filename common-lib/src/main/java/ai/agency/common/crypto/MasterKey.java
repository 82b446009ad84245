package ai.agency.common.crypto;

/**
 * The platform's master key ({@code AGENCY_MASTER_KEY}) as the one bean a service seals its secrets at rest with.
 * {@link MasterKeyAutoConfiguration} makes it from the service's {@link Settings}, so that every service reads the
 * key, the insecure development switch and the production refusal the same way.
 */
public final class MasterKey extends SecretSealer {

    /**
     * Where a service that seals secrets keeps its master-key settings (auth- and tool-service: their properties
     * records, {@code agency.auth.*} / {@code agency.tool.*}; orchestration-service: the environment). Declaring a bean
     * of this type is what gives a service a {@link MasterKey}.
     */
    public interface Settings {

        /** Base64 of 32 bytes, or empty (then the service refuses to start unless the development key is allowed). */
        String masterKey();

        /** Without a key, seal with the constant development key instead of refusing to start. */
        boolean allowInsecureDevelopmentMasterKey();

        /** Refuse the development key whatever {@link #allowInsecureDevelopmentMasterKey()} says. */
        boolean requireMasterKey();

        /** What the service seals, for error messages (e.g. "a tool secret"). */
        String sealedWhat();
    }

    /** A key from these settings as they stand (outside the {@code prod} profile). */
    public MasterKey(Settings settings) {
        this(settings, false);
    }

    /**
     * @param production the {@code prod} profile is active: a real key is required whatever the settings say
     */
    public MasterKey(Settings settings, boolean production) {
        super(
                settings.masterKey(),
                DevelopmentKey.of(
                        settings.allowInsecureDevelopmentMasterKey(), settings.requireMasterKey() || production),
                settings.sealedWhat());
    }
}
