package ai.agency.common.flags;

import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The OpenFeature provider over the platform's own flags ({@link FlagStore}): boolean flags only. The evaluation
 * context's targeting key is the user's id and its attribute {@value #ROLES} the user's roles (a list of strings).
 * A flag that does not exist answers the caller's default ({@code FLAG_NOT_FOUND}); asking for a string, number or
 * object answers the default with {@code TYPE_MISMATCH}.
 */
public final class AgencyFlagProvider implements FeatureProvider {

    public static final String NAME = "agency-database";
    public static final String ROLES = "roles";

    private final FlagStore store;

    public AgencyFlagProvider(FlagStore store) {
        this.store = store;
    }

    @Override
    public Metadata getMetadata() {
        return () -> NAME;
    }

    @Override
    public ProviderEvaluation<Boolean> getBooleanEvaluation(
            String key, Boolean defaultValue, @Nullable EvaluationContext context) {
        FlagRule rule = store.get(key);
        if (rule == null) {
            return ProviderEvaluation.<Boolean>builder()
                    .value(defaultValue)
                    .reason(Reason.DEFAULT.name())
                    .errorCode(ErrorCode.FLAG_NOT_FOUND)
                    .errorMessage("no flag " + key)
                    .build();
        }
        FlagRule.Evaluation evaluation =
                rule.evaluate(context == null ? null : context.getTargetingKey(), roles(context));
        return ProviderEvaluation.<Boolean>builder()
                .value(evaluation.on())
                .variant(evaluation.on() ? "on" : "off")
                .reason(evaluation.outcome().name())
                .build();
    }

    private static Set<String> roles(@Nullable EvaluationContext context) {
        Set<String> roles = new HashSet<>();
        Value value = context == null ? null : context.getValue(ROLES);
        if (value != null && value.isList()) {
            for (Value role : value.asList()) {
                if (role.isString()) {
                    roles.add(role.asString());
                }
            }
        }
        return roles;
    }

    @Override
    public ProviderEvaluation<String> getStringEvaluation(
            String key, String defaultValue, @Nullable EvaluationContext context) {
        return mismatch(defaultValue);
    }

    @Override
    public ProviderEvaluation<Integer> getIntegerEvaluation(
            String key, Integer defaultValue, @Nullable EvaluationContext context) {
        return mismatch(defaultValue);
    }

    @Override
    public ProviderEvaluation<Double> getDoubleEvaluation(
            String key, Double defaultValue, @Nullable EvaluationContext context) {
        return mismatch(defaultValue);
    }

    @Override
    public ProviderEvaluation<Value> getObjectEvaluation(
            String key, Value defaultValue, @Nullable EvaluationContext context) {
        return mismatch(defaultValue);
    }

    private static <T> ProviderEvaluation<T> mismatch(T defaultValue) {
        return ProviderEvaluation.<T>builder()
                .value(defaultValue)
                .reason(Reason.ERROR.name())
                .errorCode(ErrorCode.TYPE_MISMATCH)
                .errorMessage("the platform's flags are booleans")
                .build();
    }
}
