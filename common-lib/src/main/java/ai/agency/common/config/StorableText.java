package ai.agency.common.config;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.KeyDeserializer;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.module.SimpleModule;

/**
 * Text that PostgreSQL cannot store exactly as sent is refused where it enters: JSON strings (and map keys) with
 * the NUL character U+0000, which a {@code text} or {@code jsonb} value cannot hold (PostgreSQL fails the statement
 * — a 500 before this), or with an unpaired UTF-16 surrogate such as {@code "\ud800"}, which is not Unicode at all
 * (the JDBC driver wrote it as {@code ?}, so the stored text silently differed from the text sent). Both get a 400
 * naming the field. Every other character, emoji and other scripts included, is stored as sent.
 */
public final class StorableText {

    private StorableText() {}

    /** Why {@code text} cannot be stored exactly, or {@code null} when it can. */
    public static @Nullable String problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return "must not contain the NUL character (U+0000)";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a pair: one character outside the Basic Multilingual Plane, such as an emoji
            } else if (Character.isSurrogate(c)) {
                return "must not contain an unpaired surrogate (\\u%04x): it is not valid Unicode".formatted((int) c);
            }
        }
        return null;
    }

    /** The Jackson module that applies {@link #problem} to every string and map key a request body holds. */
    public static JacksonModule module() {
        SimpleModule module = new SimpleModule("agency-storable-text");
        module.addDeserializer(String.class, new CheckedStringDeserializer());
        module.addKeyDeserializer(String.class, new CheckedKeyDeserializer());
        return module;
    }

    /** A JSON string that cannot be stored; {@link #reason()} says why. */
    public static final class UnstorableTextException extends InvalidFormatException {

        private final String reason;

        UnstorableTextException(JsonParser parser, String reason, String value) {
            super(parser, "Text " + reason, value, String.class);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    private static final class CheckedStringDeserializer extends StringDeserializer {

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) {
            return checked(parser, super.deserialize(parser, context));
        }
    }

    private static final class CheckedKeyDeserializer extends KeyDeserializer {

        @Override
        public Object deserializeKey(String key, DeserializationContext context) {
            return checked(context.getParser(), key);
        }
    }

    private static String checked(JsonParser parser, String value) {
        String problem = value == null ? null : problem(value);
        if (problem != null) {
            throw new UnstorableTextException(parser, problem, value);
        }
        return value;
    }
}
