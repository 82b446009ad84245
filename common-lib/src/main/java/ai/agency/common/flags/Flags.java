package ai.agency.common.flags;

import ai.agency.common.security.Caller;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a service asks: is flag {@code key} on for this caller? Evaluated through the OpenFeature client of this
 * service's own {@link OpenFeatureAPI} instance (not the JVM-wide singleton, so two application contexts in one JVM —
 * tests — do not share a provider), with the {@link AgencyFlagProvider}. Never throws and never waits for the network:
 * a flag that does not exist, or any error, answers {@code defaultValue}.
 */
public final class Flags {

    private final Client client;

    public Flags(FlagStore store) {
        OpenFeatureAPI api = new OpenFeatureAPI() {};
        api.setProviderAndWait(new AgencyFlagProvider(store));
        this.client = api.getClient();
    }

    /** The flag for the caller (its id and roles). */
    public boolean isOn(String key, Caller caller, boolean defaultValue) {
        return client.getBooleanValue(key, defaultValue, context(caller.id().toString(), caller.roles()));
    }

    /** The flag for a user known by id and roles (work without a request, e.g. a workflow step). */
    public boolean isOn(String key, String userId, Set<String> roles, boolean defaultValue) {
        return client.getBooleanValue(key, defaultValue, context(userId, roles));
    }

    /** The flag for nobody in particular: on only if it is on for everyone. */
    public boolean isOn(String key, boolean defaultValue) {
        return client.getBooleanValue(key, defaultValue);
    }

    /** The OpenFeature client, for code that wants the details (reason, variant) of an evaluation. */
    public Client client() {
        return client;
    }

    static EvaluationContext context(String userId, Set<String> roles) {
        List<Value> list = roles.stream().sorted().map(Value::new).toList();
        return new ImmutableContext(userId, Map.of(AgencyFlagProvider.ROLES, new Value(list)));
    }
}
